using Balance.Health;
using Balance.Routing;

namespace Balance.Tests.Health;

/// <summary>The verdict from checks in a row: HAProxy's rise and fall, with its default start.</summary>
public sealed class RiseFallTests
{
    [Fact]
    public void A_channel_starts_unknown_which_routing_treats_as_up()
    {
        var verdict = new RiseFall(rise: 2, fall: 3);
        Assert.Equal(ChannelHealth.Unknown, verdict.Health);
        Assert.True(new ChannelState(operatorEnabled: true) { Health = verdict.Health }.Routable);
    }

    [Fact]
    public void The_first_check_decides_at_once()
    {
        var up = new RiseFall(2, 3);
        Assert.True(up.Passed());
        Assert.Equal(ChannelHealth.Up, up.Health);

        var down = new RiseFall(2, 3);
        Assert.True(down.Failed());
        Assert.Equal(ChannelHealth.Down, down.Health);
    }

    [Fact]
    public void An_up_channel_goes_down_after_fall_failures_in_a_row()
    {
        var verdict = new RiseFall(rise: 2, fall: 3);
        verdict.Passed();

        Assert.False(verdict.Failed());
        Assert.False(verdict.Failed());
        Assert.Equal(ChannelHealth.Up, verdict.Health);
        Assert.True(verdict.Failed());
        Assert.Equal(ChannelHealth.Down, verdict.Health);
        Assert.Equal((0, 3), (verdict.Successes, verdict.Failures));
    }

    [Fact]
    public void A_pass_between_failures_starts_the_count_over()
    {
        var verdict = new RiseFall(rise: 2, fall: 3);
        verdict.Passed();
        verdict.Failed();
        verdict.Failed();
        verdict.Passed();
        verdict.Failed();
        verdict.Failed();

        Assert.Equal(ChannelHealth.Up, verdict.Health);
        Assert.Equal(2, verdict.Failures);
    }

    [Fact]
    public void A_down_channel_comes_up_after_rise_passes_in_a_row()
    {
        var verdict = new RiseFall(rise: 2, fall: 3);
        verdict.Failed();

        Assert.False(verdict.Passed());
        Assert.False(verdict.Failed()); // already down
        Assert.False(verdict.Passed());
        Assert.Equal(ChannelHealth.Down, verdict.Health);
        Assert.True(verdict.Passed());
        Assert.Equal(ChannelHealth.Up, verdict.Health);
        Assert.Equal((2, 0), (verdict.Successes, verdict.Failures));
    }

    [Fact]
    public void Rise_and_fall_of_one_follow_every_check()
    {
        var verdict = new RiseFall(rise: 1, fall: 1);
        verdict.Passed();
        Assert.True(verdict.Failed());
        Assert.True(verdict.Passed());
        Assert.Equal(ChannelHealth.Up, verdict.Health);
    }

    [Fact]
    public void Reset_forgets_everything()
    {
        var verdict = new RiseFall(2, 3);
        verdict.Failed();
        verdict.Reset();
        Assert.Equal((ChannelHealth.Unknown, 0, 0), (verdict.Health, verdict.Successes, verdict.Failures));
        Assert.True(verdict.Passed());
    }
}
