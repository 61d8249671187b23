using Balance.Proxy.Session;

namespace Balance.Proxy.Sockets;

/// <summary>
/// A client of the sockets engine waiting in the queue at maxc: a task that
/// completes when the queue finds it a slot (continuations run on the thread
/// pool, never on the thread that freed the slot), bounded by the client's
/// queue deadline. The session holds no buffer meanwhile.
/// </summary>
internal sealed class SlotWaiter : ISlotWaiter
{
    private readonly TaskCompletionSource _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void SlotGranted() => _granted.TrySetResult();

    /// <summary>True when a slot was found (the walk goes on with it); false when the client is to be closed.</summary>
    public static async Task<bool> WaitAsync(ConnectAttempt attempt, TimeProvider clock, CancellationToken stopping)
    {
        var waiter = new SlotWaiter();
        if (!attempt.TryWait(waiter))
        {
            return false;
        }

        var left = TimeSpan.FromMilliseconds(Math.Max(0, attempt.QueueDeadline - clock.Milliseconds()));
        try
        {
            await waiter._granted.Task.WaitAsync(left, clock, stopping).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            if (attempt.LeaveQueue(timedOut: e is TimeoutException))
            {
                return false;
            }

            await waiter._granted.Task.ConfigureAwait(false); // a slot came at the last moment: it is set already or about to be
            return true;
        }
    }
}
