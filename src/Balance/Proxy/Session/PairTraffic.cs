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

    public void Begin(Channel channel, long now)
    {
        _channel = channel;
        Volatile.Write(ref _lastActivity, now);
        Volatile.Write(ref _halfClosed, 0);
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
            _channel!.AddSent(bytes);
        }
        else
        {
            _channel!.AddReceived(bytes);
        }
    }

    /// <summary>One side has sent its FIN (--fin-timeout applies from now on).</summary>
    public void HalfClose() => Volatile.Write(ref _halfClosed, 1);

    public bool HalfClosed => Volatile.Read(ref _halfClosed) != 0;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public bool Expired(long now, RelayTimeouts timeouts) => timeouts.Expired(now - LastActivity, HalfClosed);
}
