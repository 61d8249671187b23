using Balance.ConnectionLog;
using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>
/// What both engines keep of a relayed pair's traffic: bytes go to the
/// channel's <c>sent</c>/<c>rcvd</c> as they are delivered, the time a byte
/// last moved, and whether one side has sent its FIN; the timeouts are
/// judged from these. Lock-free: the sockets engine counts from two threads.
/// </summary>
internal sealed class PairTraffic
{
    private Channel? _channel;
    private long _lastActivity;
    private int _halfClosed;

    /// <summary>Who sent the first FIN: 0 nobody yet, 1 the client, 2 the backend.</summary>
    private int _firstFin;

    /// <summary>Why the pair is being ended from outside (a timeout, shutdown), -1 when nobody said.</summary>
    private int _endReason = -1;

    // Each is written by one direction only (one thread), and read once the pair has ended.
    private long _sent;
    private long _received;

    public void Begin(Channel channel, long now)
    {
        _channel = channel;
        Volatile.Write(ref _lastActivity, now);
        Volatile.Write(ref _halfClosed, 0);
        Volatile.Write(ref _firstFin, 0);
        Volatile.Write(ref _endReason, -1);
        _sent = _received = 0;
    }

    /// <summary>This pair's bytes client to backend.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>This pair's bytes backend to client.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Notes why the pair is being ended from outside; the first reason given stays.</summary>
    public void Ending(EndReason reason) => Interlocked.CompareExchange(ref _endReason, (int)reason, -1);

    /// <summary>Why the pair ended: what <see cref="Ending"/> was told, else a reset, else whose FIN came first.</summary>
    public EndReason EndedBecause(bool reset)
    {
        int told = Volatile.Read(ref _endReason);
        if (told >= 0)
        {
            return (EndReason)told;
        }

        return reset ? EndReason.Reset
            : Volatile.Read(ref _firstFin) == 2 ? EndReason.BackendClosed
            : EndReason.ClientClosed;
    }

    /// <summary><paramref name="bytes"/> were delivered to the other side.</summary>
    public void Moved(bool clientToChannel, int bytes, long now)
    {
        if (bytes <= 0)
        {
            return;
        }

        Volatile.Write(ref _lastActivity, now);
        if (clientToChannel)
        {
            Volatile.Write(ref _sent, _sent + bytes);
            _channel!.AddSent(bytes);
        }
        else
        {
            Volatile.Write(ref _received, _received + bytes);
            _channel!.AddReceived(bytes);
        }
    }

    /// <summary>One side has sent its FIN (--fin-timeout applies from now on).</summary>
    public void HalfClose(bool clientToChannel)
    {
        _ = Interlocked.CompareExchange(ref _firstFin, clientToChannel ? 1 : 2, 0);
        Volatile.Write(ref _halfClosed, 1);
    }

    /// <summary>The reason a sweep ends this pair for: -T, or --fin-timeout once half-closed.</summary>
    public EndReason TimeoutReason => HalfClosed ? EndReason.HalfCloseTimeout : EndReason.IdleTimeout;

    public bool HalfClosed => Volatile.Read(ref _halfClosed) != 0;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public bool Expired(long now, RelayTimeouts timeouts) => timeouts.Expired(now - LastActivity, HalfClosed);
}
