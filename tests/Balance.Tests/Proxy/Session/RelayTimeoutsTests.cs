using Balance.Proxy.Session;

namespace Balance.Tests.Proxy.Session;

public sealed class RelayTimeoutsTests
{
    [Fact]
    public void Without_limits_nothing_expires_and_no_sweep_runs()
    {
        var none = new RelayTimeouts(0, 0);
        Assert.False(none.Enabled);
        Assert.Equal(0, none.SweepPeriodMs);
        Assert.False(none.Expired(long.MaxValue / 2, halfClosed: true));
    }

    [Fact]
    public void Idle_limit_applies_to_every_pair()
    {
        var idle = new RelayTimeouts(IdleMs: 5000, HalfClosedMs: 0);
        Assert.False(idle.Expired(4999, halfClosed: false));
        Assert.True(idle.Expired(5000, halfClosed: false));
        Assert.True(idle.Expired(5000, halfClosed: true));
    }

    [Fact]
    public void Fin_limit_applies_only_once_a_side_has_sent_its_fin()
    {
        var fin = new RelayTimeouts(IdleMs: 0, HalfClosedMs: 1000);
        Assert.False(fin.Expired(60_000, halfClosed: false));
        Assert.False(fin.Expired(999, halfClosed: true));
        Assert.True(fin.Expired(1000, halfClosed: true));
    }

    [Fact]
    public void The_shorter_limit_wins_for_a_half_closed_pair()
    {
        var both = new RelayTimeouts(IdleMs: 2000, HalfClosedMs: 60_000);
        Assert.True(both.Expired(2000, halfClosed: true));
        Assert.False(both.Expired(1999, halfClosed: true));
    }

    [Theory]
    [InlineData(1000, 0, 250)]
    [InlineData(0, 60_000, 1000)]
    [InlineData(60_000, 100, 50)]
    [InlineData(120, 0, 50)]
    public void The_sweep_runs_at_a_quarter_of_the_shortest_limit_within_50ms_and_1s(long idle, long fin, long period)
    {
        Assert.Equal(period, new RelayTimeouts(idle, fin).SweepPeriodMs);
    }
}
