using System.Collections.Concurrent;

namespace Balance.Proxy;

/// <summary>The relays in flight, so the idle timeout, the failure sweep and shutdown can reach them.</summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<long, Relay> _relays = new();
    private long _nextId;

    public int Count => _relays.Count;

    public long Add(Relay relay)
    {
        long id = Interlocked.Increment(ref _nextId);
        _relays[id] = relay;
        return id;
    }

    public void Remove(long id) => _relays.TryRemove(id, out _);

    /// <summary>Closes relays that have been quiet for longer than <paramref name="timeouts"/> allow.</summary>
    public int CloseExpired(RelayTimeouts timeouts)
    {
        long now = Environment.TickCount64;
        int closed = 0;
        foreach (Relay relay in _relays.Values)
        {
            if (timeouts.Expired(now - relay.LastActivity, relay.HalfClosed))
            {
                relay.Abort();
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Closes relays whose stalled side has a failed source (see <see cref="Relay.SourceFailed"/>).</summary>
    public int CloseFailed(long stalledMilliseconds)
    {
        long now = Environment.TickCount64;
        int closed = 0;
        foreach (Relay relay in _relays.Values)
        {
            if (relay.SourceFailed(now, stalledMilliseconds))
            {
                relay.Abort();
                closed++;
            }
        }

        return closed;
    }

    public void CloseAll()
    {
        foreach (Relay relay in _relays.Values)
        {
            relay.Abort();
        }
    }
}
