using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>
/// What the queue at maxc tells the log: with -d a line per client; without,
/// a notice when clients time out or find the queue full, at most once per
/// interval, with the queue's length and the totals so far (never a line per
/// client, which a flood would turn into thousands).
/// </summary>
internal sealed class QueueLog
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Log _log;
    private readonly TimeProvider _clock;

    /// <summary>Time of the last notice, -1 for none yet.</summary>
    private long _last = -1;

    public QueueLog(Log log, TimeProvider clock)
    {
        _log = log;
        _clock = clock;
    }

    public void Queued(int waiting)
    {
        if (_log.DebugEnabled)
        {
            _log.Debug($"all usable channels full: client waits in the queue ({waiting} waiting)");
        }
    }

    public void TimedOut(QueueStatus status)
    {
        if (_log.DebugEnabled)
        {
            _log.Debug("queue timeout: client closed");
        }

        Notice(status);
    }

    public void TurnedAway(QueueStatus status)
    {
        if (_log.DebugEnabled)
        {
            _log.Debug("queue full: client closed");
        }

        Notice(status);
    }

    private void Notice(QueueStatus status)
    {
        long now = _clock.Milliseconds();
        long last = Interlocked.Read(ref _last);
        if ((last < 0 || now - last >= (long)Interval.TotalMilliseconds) && Interlocked.CompareExchange(ref _last, now, last) == last)
        {
            _log.Notice(
                $"queue: {status.Waiting} of {status.Limit} waiting; since start {status.TimedOut} timed out, " +
                $"{status.TurnedAway} turned away (queue full), {status.Served} served");
        }
    }
}
