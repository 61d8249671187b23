using System.Net;
using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>
/// One client's way to a channel, the same for both engines: the walk through
/// the groups and their channels with failover, the -B source, what a failed
/// connect means (failover, autodisable, or a local shortage that drops the
/// client), the -d trace lines, and the one release of the channel slot when
/// the relay ends. The engines only open sockets and report how each connect
/// ended. Reused for client after client (the epoll engine pools it).
/// </summary>
internal sealed class ConnectAttempt
{
    private readonly SessionContext _context;
    private readonly RouteCursor _cursor = new(0);
    private ChannelLease _lease;
    private long _startedAt;

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
    }

    /// <summary>
    /// The next channel to connect to, its slot held; false when none is left
    /// or the proxy is stopping: the client is then closed, as the original did.
    /// </summary>
    public bool TryNext(out IPEndPoint target)
    {
        if (_context.Stopping || _context.Table.Next(_cursor) is not ChannelLease lease)
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
}
