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
    private readonly LogThrottle _throttle;

    public QueueLog(Log log, TimeProvider clock)
    {
        _log = log;
        _throttle = new LogThrottle(clock, Interval);
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
        if (_throttle.TryTake())
        {
            _log.Notice(
                $"queue: {status.Waiting} of {status.Limit} waiting; since start {status.TimedOut} timed out, " +
                $"{status.TurnedAway} turned away (queue full), {status.Served} served");
        }
    }
}
