using System.Net;
using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>
/// One client's way to a channel, the same for both engines: the walk through
/// the groups and their channels with failover, the -B source, what a failed
/// connect means (failover, autodisable, or a local shortage that drops the
/// client), the wait in the queue at maxc, the -d trace lines, and the one
/// release of the channel slot when the relay ends. The engines only open
/// sockets, report how each connect ended and wait. Reused for client after
/// client (the epoll engine pools it).
/// </summary>
internal sealed partial class ConnectAttempt
{
    private readonly SessionContext _context;
    private readonly RouteCursor _cursor = new(0);
    private ChannelLease _lease;
    private long _startedAt;

    /// <summary>The slot the queue found while the client waited, until <see cref="TryNext"/> takes it.</summary>
    private ChannelLease? _granted;
    private ISlotWaiter? _waiter;
    private long _queueDeadline;

    public ConnectAttempt(SessionContext context)
    {
        _context = context;
    }

    /// <summary>The channel being connected to, or relayed to once connected.</summary>
    public ChannelLease Lease => _lease;

    /// <summary>Starts the walk for a new client (releasing the last one's slot, if still held).</summary>
    public void Begin(uint clientHash)
    {
        _cursor.Reset(clientHash);
        _lease = default;
        _granted = null;
        _waiter = null;
        _queueDeadline = 0;
        QueueTimedOut = false;
    }

    /// <summary>
    /// The next channel to connect to, its slot held (the one the queue found,
    /// after a wait); false when none is left or the proxy is stopping: the
    /// client may then wait (<see cref="TryWait"/>) or is closed, as the original did.
    /// </summary>
    public bool TryNext(out IPEndPoint target)
    {
        ChannelLease? granted = _granted;
        _granted = null;
        if (_context.Stopping || (granted ?? _context.Table.Next(_cursor)) is not ChannelLease lease)
        {
            target = null!;
            return false;
        }

        _lease = lease;
        _startedAt = _context.Clock.GetTimestamp();
        target = lease.Channel.EndPoint;
        return true;
    }

    /// <summary>-B: where the connect starts from.</summary>
    public OutgoingSource Source => _context.Source;

    /// <summary>The address to bind the connecting socket to (-B), or null.</summary>
    public IPAddress? SourceFor(IPEndPoint target) => _context.Source.For(target.Address);

    /// <summary>The -B bind failed: the connect goes ahead from the default address.</summary>
    public void SourceBindFailed(string reason) => _context.Source.BindFailed(reason);

    public void Connected()
    {
        ConnectTrace.Attempt(_context.Log, _lease, ConnectOutcome.Connected);
        _context.Table.Connected(_lease, _context.Clock.GetElapsedTime(_startedAt));
        NoteConnected();
    }

    /// <summary>
    /// The connect to the current channel failed. Returns true when the walk
    /// goes on to another channel; false when the client must be dropped
    /// because this machine could not open a socket (not the channel's fault:
    /// no failover, no autodisable), with <paramref name="errno"/> logged at
    /// most once per interval.
    /// </summary>
    public bool Failed(ConnectOutcome outcome, int errno = 0)
    {
        if (outcome == ConnectOutcome.LocalFailure)
        {
            _cursor.Release();
            _context.Shortage.Report(errno);
            return false;
        }

        ConnectTrace.Attempt(_context.Log, _lease, outcome);
        if (_context.Table.Failed(_cursor, _lease, outcome, _context.Clock.GetElapsedTime(_startedAt)))
        {
            ConnectTrace.AutoDisabled(_context.Log, _lease, _context.Settings.AutoEnableChecks);
        }

        return true;
    }

    /// <summary>The relay ended, or the client is dropped: its channel slot goes back. Idempotent.</summary>
    public void Release() => _cursor.Release();

    // ---- the queue at maxc ----

    /// <summary>
    /// After <see cref="TryNext"/> found nothing: puts the client in the queue
    /// when there is one, a channel it could use was only full, and its wait
    /// (counted from its first time in the queue) is not over. True: it waits
    /// until <paramref name="waiter"/> is told of a slot, or until
    /// <see cref="QueueDeadline"/>; false: close it.
    /// </summary>
    public bool TryWait(ISlotWaiter waiter)
    {
        ClientQueue? queue = _context.Queue;
        if (queue is null || _context.Stopping || !_cursor.SawFull)
        {
            return false;
        }

        long now = _context.Clock.Milliseconds();
        if (_queueDeadline == 0)
        {
            _queueDeadline = now + queue.TimeoutMs;
        }
        else if (now >= _queueDeadline)
        {
            return false;
        }

        _waiter = waiter;
        return queue.TryAdd(this);
    }

    /// <summary>The clock's milliseconds at which a waiting client gives up.</summary>
    public long QueueDeadline => _queueDeadline;

    /// <summary>
    /// Takes the client out of the queue (its wait is over, it is gone, the
    /// proxy stops); false when it got a slot meanwhile: the waiter is told,
    /// or has been, and <see cref="TryNext"/> returns that slot.
    /// </summary>
    public bool LeaveQueue(bool timedOut)
    {
        bool left = _context.Queue?.Remove(this, timedOut) ?? false;
        QueueTimedOut |= left && timedOut;
        return left;
    }

    /// <summary>The client's wait in the queue ran out (--queue-timeout).</summary>
    public bool QueueTimedOut { get; private set; }

    /// <summary>The walk the queue runs for this client while it waits.</summary>
    internal RouteCursor Cursor => _cursor;

    /// <summary>In the queue; changed only under the queue's lock.</summary>
    internal bool Waiting { get; set; }

    /// <summary>Links of the queue, which owns them while the client waits.</summary>
    internal ConnectAttempt? NextWaiting { get; set; }

    internal ConnectAttempt? PreviousWaiting { get; set; }

    /// <summary>The queue found a slot for this client (under its lock, on the thread that freed the slot).</summary>
    internal void Grant(ChannelLease lease)
    {
        _granted = lease;
        _waiter!.SlotGranted();
    }
}
