namespace Balance.Hosting;

/// <summary>
/// Logs a failing outside service (DNS, etcd) once when it starts failing,
/// then at most once per <see cref="Interval"/> while it keeps failing, and
/// once when it is back: a dead resolver does not flood the log.
/// </summary>
internal sealed class OutageLog
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    private readonly Log _log;
    private readonly TimeProvider _clock;
    private readonly object _sync = new();
    private long _lastLogged = long.MinValue;
    private bool _failing;

    public OutageLog(Log log, TimeProvider clock)
    {
        _log = log;
        _clock = clock;
    }

    public bool Failing
    {
        get
        {
            lock (_sync)
            {
                return _failing;
            }
        }
    }

    public void Failed(string message)
    {
        lock (_sync)
        {
            long now = _clock.Milliseconds();
            if (_failing && now - _lastLogged < (long)Interval.TotalMilliseconds)
            {
                return;
            }

            _failing = true;
            _lastLogged = now;
        }

        _log.Error(message);
    }

    public void Recovered(string message)
    {
        lock (_sync)
        {
            if (!_failing)
            {
                return;
            }

            _failing = false;
        }

        _log.Notice(message);
    }
}
