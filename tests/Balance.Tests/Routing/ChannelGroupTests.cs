using System.Net;
using Balance.Routing;

namespace Balance.Tests.Routing;

public sealed class ChannelGroupTests
{
    [Fact]
    public void A_new_group_is_an_empty_round_robin_group_at_position_0()
    {
        var group = new ChannelGroup();
        Assert.Equal(GroupType.RoundRobin, group.Type);
        Assert.Empty(group.Channels);
        Assert.Equal(0, group.Current);
    }

    [Fact]
    public void Keeps_channels_in_order()
    {
        var group = new ChannelGroup { Type = GroupType.Hash };
        var a = new Channel(new IPEndPoint(IPAddress.Loopback, 1), 0);
        var b = new Channel(new IPEndPoint(IPAddress.Loopback, 2), 0);
        group.Channels.Add(a);
        group.Channels.Add(b);
        Assert.Same(a, group.Channels[0]);
        Assert.Same(b, group.Channels[1]);
        Assert.Equal(GroupType.Hash, group.Type);
    }

    [Fact]
    public void Round_robin_is_the_default_group_type()
    {
        Assert.Equal(GroupType.RoundRobin, new ChannelGroup().Type);
        Assert.IsType<Balance.Routing.Policies.RoundRobinPolicy>(new ChannelGroup().Policy);
    }
}
