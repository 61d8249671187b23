using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>
/// The queue at maxc (--queue): clients turned away only because channels
/// they could use were full wait here, first come first served, instead of
/// being closed at once. Whenever slots may have come free the table calls
/// <see cref="Serve"/>: each waiting client, oldest first, walks the groups
/// again (the same walk as a new client) and the first that finds a channel
/// gets it there and then, its slot counted; a slot a connection gives back
/// is handed out under the routing lock together with its release, before
/// any newer client can take it. The client's engine is woken to connect. The clients are the sessions' own
/// <see cref="ConnectAttempt"/>s, linked through themselves: waiting
/// allocates nothing and holds no buffer. Its lock is taken only by clients
/// that wait and by slot releases while some client waits, always before
/// the routing lock.
/// </summary>
internal sealed class ClientQueue : IClientQueue
{
    private readonly object _sync = new();
    private readonly SessionContext _context;
    private readonly QueueLog _log;
    private ConnectAttempt? _first;
    private ConnectAttempt? _last;
    private int _waiting;
    private long _served;
    private long _timedOut;
    private long _turnedAway;

    public ClientQueue(SessionContext context, int limit, TimeSpan timeout)
    {
        _context = context;
        Limit = limit;
        TimeoutMs = (long)timeout.TotalMilliseconds;
        _log = new QueueLog(context.Log, context.Clock);
    }

    public int Limit { get; }

    /// <summary>--queue-timeout in milliseconds.</summary>
    public long TimeoutMs { get; }

    public bool HasWaiting => Volatile.Read(ref _waiting) > 0;

    public QueueStatus Status
    {
        get
        {
            lock (_sync)
            {
                return new QueueStatus(_waiting, Limit, _served, _timedOut, _turnedAway);
            }
        }
    }

    /// <summary>
    /// Puts a client at the end of the queue; false when the queue is full
    /// (the client is closed). It may get a slot at once: one freed while it
    /// was turned away and joined the queue is handed out here.
    /// </summary>
    public bool TryAdd(ConnectAttempt attempt)
    {
        int waiting;
        lock (_sync)
        {
            if (_waiting >= Limit)
            {
                _turnedAway++;
                waiting = -1;
            }
            else
            {
                attempt.NextWaiting = null;
                attempt.PreviousWaiting = _last;
                if (_last is null)
                {
                    _first = attempt;
                }
                else
                {
                    _last.NextWaiting = attempt;
                }

                _last = attempt;
                attempt.Waiting = true;
                waiting = Interlocked.Increment(ref _waiting);
            }
        }

        if (waiting < 0)
        {
            _log.TurnedAway(Status);
            return false;
        }

        _log.Queued(waiting);
        Serve(1);
        return true;
    }

    /// <summary>Takes a waiting client out (timed out, gone, or the proxy stops); false when it got a slot meanwhile.</summary>
    public bool Remove(ConnectAttempt attempt, bool timedOut)
    {
        lock (_sync)
        {
            if (!attempt.Waiting)
            {
                return false;
            }

            Unlink(attempt);
            if (timedOut)
            {
                _timedOut++;
            }
        }

        if (timedOut)
        {
            _log.TimedOut(Status);
        }

        return true;
    }

    public void Serve(int slots, Channel? released = null)
    {
        if (_context.Stopping)
        {
            released?.EndConnection();
            return;
        }

        lock (_sync)
        {
            _context.Table.HandOut(released, (Queue: this, Slots: slots), static s => s.Queue.HandOut(s.Slots));
        }
    }

    /// <summary>Under both locks: each waiting client, oldest first, walks the groups; the first that finds a channel gets it.</summary>
    private void HandOut(int slots)
    {
        for (ConnectAttempt? attempt = _first; attempt is not null && slots > 0;)
        {
            ConnectAttempt? next = attempt.NextWaiting;
            attempt.Cursor.Restart();
            if (_context.Table.Next(attempt.Cursor) is ChannelLease lease)
            {
                Unlink(attempt);
                _served++;
                slots--;
                attempt.Grant(lease);
            }

            attempt = next;
        }
    }

    private void Unlink(ConnectAttempt attempt)
    {
        if (attempt.PreviousWaiting is null)
        {
            _first = attempt.NextWaiting;
        }
        else
        {
            attempt.PreviousWaiting.NextWaiting = attempt.NextWaiting;
        }

        if (attempt.NextWaiting is null)
        {
            _last = attempt.PreviousWaiting;
        }
        else
        {
            attempt.NextWaiting.PreviousWaiting = attempt.PreviousWaiting;
        }

        attempt.NextWaiting = attempt.PreviousWaiting = null;
        attempt.Waiting = false;
        Interlocked.Decrement(ref _waiting);
    }
}
