using Balance.Routing;
using Balance.Routing.Policies;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing.Policies;

public sealed class RoundRobinPolicyTests
{
    private static readonly RoundRobinPolicy Policy = new();
    private static readonly RouteRules NoSwitches = new(HashFailover: false, AutoDisable: false);

    [Fact]
    public void First_is_the_groups_position()
    {
        ChannelGroup group = Rr(0, 3);
        group.Current = 2;
        Assert.Equal(2, Policy.First(group, AnyClient(), NoSwitches));
    }

    [Fact]
    public void First_skips_disabled_and_full_channels_wrapping_once()
    {
        ChannelGroup group = Group(0, GroupType.RoundRobin, 0, 1, 0);
        group.Channels[2].Enabled = false;
        group.Channels[1].BeginAttempt();
        group.Current = 1;
        Assert.Equal(0, Policy.First(group, AnyClient(), NoSwitches));
    }

    [Fact]
    public void Next_continues_after_the_failed_channel_and_never_retries_one()
    {
        ChannelGroup group = Rr(0, 3);
        RouteCursor cursor = AnyClient();
        cursor.MarkTried(1);
        cursor.LastFailed = 1;
        Assert.Equal(2, Policy.Next(group, cursor, NoSwitches));
        cursor.MarkTried(2);
        cursor.LastFailed = 2;
        Assert.Equal(0, Policy.Next(group, cursor, NoSwitches));
        cursor.MarkTried(0);
        cursor.LastFailed = 0;
        Assert.Equal(-1, Policy.Next(group, cursor, NoSwitches));
    }

    [Fact]
    public void Nothing_usable_is_minus_one()
    {
        ChannelGroup group = Rr(0, 2);
        group.Channels.ForEach(c => c.Enabled = false);
        Assert.Equal(-1, Policy.First(group, AnyClient(), NoSwitches));
    }
}
