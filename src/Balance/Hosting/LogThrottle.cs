namespace Balance.Hosting;

/// <summary>
/// At most one log line per interval for a condition that can repeat once per
/// connection (a flood of clients, a failing resolver): the first occurrence
/// is told at once, the next only once the interval has passed. Any thread.
/// </summary>
internal sealed class LogThrottle
{
    private readonly TimeProvider _clock;
    private readonly long _intervalMs;

    /// <summary>Time of the last line, -1 for none yet (now - long.MinValue would overflow and never log).</summary>
    private long _last = -1;

    public LogThrottle(TimeProvider clock, TimeSpan interval)
    {
        _clock = clock;
        _intervalMs = (long)interval.TotalMilliseconds;
    }

    /// <summary>True for the one caller that may log now; false while the interval since the last line runs.</summary>
    public bool TryTake()
    {
        long now = _clock.Milliseconds();
        long last = Interlocked.Read(ref _last);
        return (last < 0 || now - last >= _intervalMs) && Interlocked.CompareExchange(ref _last, now, last) == last;
    }
}
