using Balance.Routing;

namespace Balance.Tests.Routing;

/// <summary>The three sources of a channel's state stay apart; routing reads their combination.</summary>
public sealed class ChannelStateTests
{
    [Fact]
    public void Enabled_by_the_operator_and_nothing_else_is_routable()
    {
        var state = new ChannelState(operatorEnabled: true);
        Assert.True(state.Enabled);
        Assert.True(state.Routable);
        Assert.Equal(ChannelHealth.Unknown, state.Health);
    }

    [Fact]
    public void Autodisable_takes_it_out_and_enable_brings_it_back()
    {
        var state = new ChannelState(operatorEnabled: true) { AutoDisabled = true };
        Assert.False(state.Enabled);
        Assert.False(state.Routable);
        state.SetByOperator(true);
        Assert.True(state.Enabled);
        Assert.False(state.AutoDisabled);
    }

    [Fact]
    public void Disable_is_the_operators_alone_and_survives_autodisable_letting_go()
    {
        var state = new ChannelState(operatorEnabled: true) { AutoDisabled = true };
        state.SetByOperator(false);
        state.AutoDisabled = false;
        Assert.False(state.Enabled);
        Assert.False(state.Routable);
    }

    [Fact]
    public void Down_is_not_routable_but_still_enabled_for_show()
    {
        var state = new ChannelState(operatorEnabled: true) { Health = ChannelHealth.Down };
        Assert.True(state.Enabled);
        Assert.False(state.Routable);
        state.Health = ChannelHealth.Up;
        Assert.True(state.Routable);
    }

    [Fact]
    public void Health_does_not_overrule_the_operator()
    {
        var state = new ChannelState(operatorEnabled: false) { Health = ChannelHealth.Up };
        Assert.False(state.Routable);
    }
}
