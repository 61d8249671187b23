using Balance.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Balance.Tests.Hosting;

public sealed class LogThrottleTests
{
    [Fact]
    public void The_first_line_goes_at_once_and_the_next_only_after_the_interval()
    {
        var clock = new FakeTimeProvider();
        var throttle = new LogThrottle(clock, TimeSpan.FromSeconds(10));

        Assert.True(throttle.TryTake());
        Assert.False(throttle.TryTake());
        clock.Advance(TimeSpan.FromMilliseconds(9_999));
        Assert.False(throttle.TryTake());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.TryTake());
        Assert.False(throttle.TryTake());
    }

    [Fact]
    public void Of_many_threads_at_the_same_moment_exactly_one_may_log()
    {
        var throttle = new LogThrottle(new FakeTimeProvider(), TimeSpan.FromSeconds(10));
        int taken = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (throttle.TryTake())
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(1, taken);
    }
}
