using Balance.Health;
using Microsoft.Extensions.Time.Testing;

namespace Balance.Tests.Health;

/// <summary>When checks run: spread over the interval, one interval apart, at once on demand, never two at a time.</summary>
public sealed class CheckScheduleTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly long _start;

    public CheckScheduleTests()
    {
        _start = _clock.Milliseconds();
    }

    /// <summary>When <paramref name="slot"/> is due, in milliseconds from the test's start.</summary>
    private static long Due(CheckSchedule schedule, int slot, long start) => schedule.DueAt(slot) - start;

    private List<int> TakeDue(CheckSchedule schedule)
    {
        var due = new List<int>();
        schedule.TakeDue(due);
        return due;
    }

    [Fact]
    public void Channels_known_at_start_are_spread_over_one_interval()
    {
        var schedule = new CheckSchedule(_clock, intervalMs: 200);
        schedule.AddSpread(256);

        long[] offsets = Enumerable.Range(0, 256).Select(slot => Due(schedule, slot, _start)).ToArray();
        Assert.All(offsets, offset => Assert.InRange(offset, 0, 199));
        Assert.Equal(offsets.Order(), offsets);

        // No burst: in any one millisecond at most two of the 256 checks start.
        Assert.True(offsets.GroupBy(o => o).Max(g => g.Count()) <= 2);
        Assert.Equal(200, offsets.Distinct().Count());
    }

    [Fact]
    public void Spread_checks_start_as_their_slots_come_and_recur_every_interval()
    {
        var schedule = new CheckSchedule(_clock, intervalMs: 2000);
        schedule.AddSpread(4); // slots at 0, 500, 1000, 1500 ms

        Assert.Equal(new[] { 0 }, TakeDue(schedule));
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Empty(TakeDue(schedule));
        Assert.Equal(1, schedule.MillisecondsToNext());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new[] { 1 }, TakeDue(schedule));

        schedule.Finished(0);
        schedule.Finished(1);
        _clock.Advance(TimeSpan.FromMilliseconds(1500)); // 2000: slot 0 again, and 2 and 3 on the way
        Assert.Equal(new[] { 0, 2, 3 }, TakeDue(schedule));
        Assert.Equal(2000 + 2000, Due(schedule, 0, _start));
        Assert.Equal(1000 + 2000, Due(schedule, 2, _start));
    }

    [Fact]
    public void A_late_check_keeps_its_slot_so_the_spread_stays()
    {
        var schedule = new CheckSchedule(_clock, intervalMs: 1000);
        schedule.AddSpread(2); // 0 and 500

        _clock.Advance(TimeSpan.FromMilliseconds(30)); // started 30 ms late
        Assert.Equal(new[] { 0 }, TakeDue(schedule));
        Assert.Equal(1000, Due(schedule, 0, _start));
    }

    [Fact]
    public void A_running_check_is_never_doubled_and_the_next_follows_once_it_ends()
    {
        var schedule = new CheckSchedule(_clock, intervalMs: 200);
        schedule.AddSpread(1);
        Assert.Equal(new[] { 0 }, TakeDue(schedule));

        _clock.Advance(TimeSpan.FromMilliseconds(450)); // a slow check: two slots went by
        Assert.Empty(TakeDue(schedule));
        Assert.Equal(-1, schedule.MillisecondsToNext());

        schedule.Finished(0);
        Assert.Equal(0, schedule.MillisecondsToNext());
        Assert.Equal(new[] { 0 }, TakeDue(schedule));
        Assert.Equal(450 + 200, Due(schedule, 0, _start)); // a whole interval behind: the cadence restarts from now
    }

    [Fact]
    public void Run_now_brings_the_next_check_forward_without_waiting_for_the_slot()
    {
        var schedule = new CheckSchedule(_clock, intervalMs: 2000);
        schedule.AddSpread(2);
        Assert.Equal(new[] { 0 }, TakeDue(schedule));
        schedule.Finished(0);

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(900, schedule.MillisecondsToNext()); // slot 1 at 1000 ms
        schedule.RunNow(0);
        Assert.Equal(0, schedule.MillisecondsToNext());
        Assert.Equal(new[] { 0 }, TakeDue(schedule));
        Assert.Equal(100 + 2000, Due(schedule, 0, _start));
    }

    [Fact]
    public void Run_now_during_a_check_runs_another_as_soon_as_it_ends()
    {
        var schedule = new CheckSchedule(_clock, intervalMs: 2000);
        schedule.AddSpread(1);
        Assert.Equal(new[] { 0 }, TakeDue(schedule));

        _clock.Advance(TimeSpan.FromMilliseconds(50));
        schedule.RunNow(0);
        Assert.Empty(TakeDue(schedule));
        schedule.Finished(0);
        Assert.Equal(new[] { 0 }, TakeDue(schedule));
    }

    [Fact]
    public void A_channel_added_later_is_due_at_once()
    {
        var schedule = new CheckSchedule(_clock, intervalMs: 2000);
        schedule.AddSpread(3);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        TakeDue(schedule);

        int added = schedule.Add();
        Assert.Equal(3, added);
        Assert.Equal(new[] { 3 }, TakeDue(schedule));
    }
}
