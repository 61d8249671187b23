using System.Collections.Concurrent;

namespace Balance.Proxy;

/// <summary>The relays in flight, so the idle timeout and shutdown can reach them.</summary>
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

    /// <summary>Closes relays with no data for <paramref name="idleMilliseconds"/>.</summary>
    public int CloseIdle(long idleMilliseconds)
    {
        long now = Environment.TickCount64;
        int closed = 0;
        foreach (Relay relay in _relays.Values)
        {
            if (now - relay.LastActivity >= idleMilliseconds)
            {
                relay.Close();
                closed++;
            }
        }

        return closed;
    }

    public void CloseAll()
    {
        foreach (Relay relay in _relays.Values)
        {
            relay.Close();
        }
    }
}
