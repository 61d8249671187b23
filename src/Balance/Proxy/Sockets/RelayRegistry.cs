using System.Collections.Concurrent;
using Balance.Proxy.Session;

namespace Balance.Proxy.Sockets;

/// <summary>The relays in flight, so the timeouts, the failure sweep and shutdown can reach them.</summary>
internal sealed class RelayRegistry
{
    private readonly ConcurrentDictionary<long, SocketRelay> _relays = new();
    private long _nextId;

    public int Count => _relays.Count;

    public long Add(SocketRelay relay)
    {
        long id = Interlocked.Increment(ref _nextId);
        _relays[id] = relay;
        return id;
    }

    public void Remove(long id) => _relays.TryRemove(id, out _);

    /// <summary>Closes relays that have been quiet for longer than <paramref name="timeouts"/> allow.</summary>
    public int CloseExpired(long now, RelayTimeouts timeouts)
    {
        int closed = 0;
        foreach (SocketRelay relay in _relays.Values)
        {
            if (relay.Traffic.Expired(now, timeouts))
            {
                relay.Abort(relay.Traffic.TimeoutReason);
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Closes relays whose stalled side has a failed source (see <see cref="SocketRelay.SourceFailed"/>).</summary>
    public int CloseFailed(long now, long stalledMilliseconds)
    {
        int closed = 0;
        foreach (SocketRelay relay in _relays.Values)
        {
            if (relay.SourceFailed(now, stalledMilliseconds))
            {
                relay.Abort(ConnectionLog.EndReason.Reset);
                closed++;
            }
        }

        return closed;
    }

    public void CloseAll()
    {
        foreach (SocketRelay relay in _relays.Values)
        {
            relay.Abort(ConnectionLog.EndReason.Shutdown);
        }
    }
}
