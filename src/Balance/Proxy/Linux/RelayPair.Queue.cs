using Balance.Proxy.Session;

namespace Balance.Proxy.Linux;

/// <summary>
/// A pair's wait in the queue at maxc: it holds no backend and no buffer (and
/// its client socket is not watched: a client that left is noticed once it
/// gets its slot, as any relay notices it), sits in the loop's queue
/// deadlines, and goes on on its own loop when the queue finds it a slot.
/// </summary>
internal sealed partial class RelayPair
{
    /// <summary>In the queue: waiting for <see cref="OnSlotGranted"/> or its deadline.</summary>
    private bool _waiting;

    /// <summary>Waits if the queue takes the client; false: close it.</summary>
    private bool TryWait()
    {
        if (!_attempt.TryWait(this))
        {
            return false;
        }

        _waiting = true;
        _loop.QueueDeadlines.Add(this, _attempt.QueueDeadline);
        return true;
    }

    /// <summary>The queue found a slot (any thread): this pair goes on on its own loop.</summary>
    void ISlotWaiter.SlotGranted() => _loop.Post(this);

    /// <summary>On the loop, after <see cref="EventLoop.Post"/>: connect to the slot's channel.</summary>
    internal void OnSlotGranted()
    {
        if (_closed || !_waiting)
        {
            return; // closed while the slot was on its way (see Close)
        }

        _waiting = false;
        _loop.QueueDeadlines.Remove(this);
        TryNextChannel();
    }

    public void OnQueueTimeout()
    {
        if (_closed || !_waiting)
        {
            return;
        }

        if (_attempt.LeaveQueue(timedOut: true))
        {
            _waiting = false;
            Close(reset: false, ConnectionLog.EndReason.QueueTimeout);
        }

        // Otherwise a slot came at the last moment: its post is on the way.
    }

    /// <summary>Leaves the queue; true when a slot was found for the pair meanwhile (its post is on its way).</summary>
    private bool StopWaiting()
    {
        _waiting = false;
        _loop.QueueDeadlines.Remove(this);
        return !_attempt.LeaveQueue(timedOut: false);
    }
}
