namespace Balance.Health;

/// <summary>
/// When each channel's next check is due. Channels known at start get slots
/// spread evenly over one interval, so checks never come in a burst; each
/// slot then recurs every interval, measured from the slot rather than from
/// when the check ran, so lateness does not add up and the spread stays.
/// A channel added later is due at once. <see cref="RunNow"/> moves a
/// channel's next check to now (a client just failed to connect to it). One
/// check of a channel runs at a time: a check still running when its next
/// slot comes is not doubled; the next starts as soon as it ends.
/// </summary>
internal sealed class CheckSchedule
{
    private readonly TimeProvider _clock;
    private readonly long _intervalMs;
    private readonly List<long> _due = new();
    private readonly List<bool> _running = new();

    public CheckSchedule(TimeProvider clock, long intervalMs)
    {
        _clock = clock;
        _intervalMs = intervalMs;
    }

    /// <summary>Adds <paramref name="count"/> slots spread over the next interval; returns the first one's number.</summary>
    public int AddSpread(int count)
    {
        int first = _due.Count;
        long now = _clock.Milliseconds();
        for (int i = 0; i < count; i++)
        {
            _due.Add(now + (i * _intervalMs / count));
            _running.Add(false);
        }

        return first;
    }

    /// <summary>Adds one slot, due now; returns its number.</summary>
    public int Add()
    {
        _due.Add(_clock.Milliseconds());
        _running.Add(false);
        return _due.Count - 1;
    }

    /// <summary>When the slot's next check is due (clock milliseconds).</summary>
    public long DueAt(int slot) => _due[slot];

    /// <summary>
    /// Adds the slots whose check is due and not running to <paramref name="due"/>
    /// and marks them running; each one's next check is one interval after
    /// this one's slot (or after now, if it fell a whole interval behind).
    /// </summary>
    public void TakeDue(List<int> due)
    {
        long now = _clock.Milliseconds();
        for (int slot = 0; slot < _due.Count; slot++)
        {
            if (!_running[slot] && _due[slot] <= now)
            {
                _running[slot] = true;
                long next = _due[slot] + _intervalMs;
                _due[slot] = next > now ? next : now + _intervalMs;
                due.Add(slot);
            }
        }
    }

    /// <summary>The slot's check ended.</summary>
    public void Finished(int slot) => _running[slot] = false;

    /// <summary>The slot's next check runs at once (or as soon as the running one ends).</summary>
    public void RunNow(int slot) => _due[slot] = Math.Min(_due[slot], _clock.Milliseconds());

    /// <summary>Milliseconds until the next check not running is due: 0 if one is due, -1 if none waits.</summary>
    public long MillisecondsToNext()
    {
        long next = long.MaxValue;
        for (int slot = 0; slot < _due.Count; slot++)
        {
            if (!_running[slot] && _due[slot] < next)
            {
                next = _due[slot];
            }
        }

        return next == long.MaxValue ? -1 : Math.Max(0, next - _clock.Milliseconds());
    }
}
