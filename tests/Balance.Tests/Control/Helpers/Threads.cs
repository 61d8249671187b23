namespace Balance.Tests.Control.Helpers;

/// <summary>
/// Blocking work of a test on threads of its own, not the thread pool: the
/// control server under test runs on the pool, and must not be starved by
/// the clients that test it.
/// </summary>
internal static class Threads
{
    public static Task Run(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static Task<T> Run<T>(Func<T> function) =>
        Task.Factory.StartNew(function, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Runs <paramref name="function"/> for 0..count-1 on <paramref name="threads"/> threads of its own.</summary>
    public static T[] ForEach<T>(int count, int threads, Func<int, T> function)
    {
        var results = new T[count];
        int next = -1;
        Task[] workers = Enumerable.Range(0, threads).Select(_ => Run(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                results[i] = function(i);
            }
        })).ToArray();
        Task.WaitAll(workers, TimeSpan.FromSeconds(60));
        Assert.All(workers, w => Assert.True(w.IsCompletedSuccessfully, w.Exception?.ToString()));
        return results;
    }
}
