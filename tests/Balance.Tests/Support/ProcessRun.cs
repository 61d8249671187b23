using System.Diagnostics;

namespace Balance.Tests.Support;

/// <summary>The outcome of a process that ran to its end.</summary>
internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs a command to completion (balance as a client or with bad input,
/// setpriv, chown) with optional stdin and environment, within a deadline:
/// one that overruns is killed by its own pid.
/// </summary>
internal static class ProcessRun
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<ProcessResult> RunAsync(
        string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A balance started here is never the background child of another.
        start.Environment.Remove("BALANCE_DAEMON_CHILD");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task feeding = FeedAsync(process, stdin);
        TimeSpan limit = timeout ?? DefaultTimeout;
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr, feeding).WaitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
            string soFar = stdout.IsCompletedSuccessfully ? stdout.Result : "(still open)";
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {limit.TotalSeconds:0.#} s; stdout: {soFar}");
        }

        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static async Task FeedAsync(Process process, string? stdin)
    {
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited before reading everything; its output says why.
        }
    }
}
