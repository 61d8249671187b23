using Balance.Routing;
using Balance.Routing.Policies;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing.Policies;

public sealed class LeastConnectionsPolicyTests
{
    private static readonly LeastConnectionsPolicy Policy = new();
    private static readonly RouteRules NoSwitches = new(HashFailover: false, AutoDisable: false);

    /// <summary>A least-connections group whose channels have these many connections open.</summary>
    private static ChannelGroup Loaded(params int[] connections)
    {
        ChannelGroup group = Group(0, GroupType.LeastConnections, new int[connections.Length]);
        for (int c = 0; c < connections.Length; c++)
        {
            for (int i = 0; i < connections[c]; i++)
            {
                group.Channels[c].BeginAttempt();
            }
        }

        return group;
    }

    [Fact]
    public void The_channel_with_the_fewest_connections_is_taken()
    {
        Assert.Equal(2, Policy.First(Loaded(3, 2, 1, 4), AnyClient(), NoSwitches));
        Assert.Equal(0, Policy.First(Loaded(0, 5, 5), AnyClient(), NoSwitches));
    }

    [Fact]
    public void Connections_count_relative_to_the_weight()
    {
        ChannelGroup group = Loaded(1, 2);
        group.Channels[1].Weight = 3; // 2/3 < 1/1
        Assert.Equal(1, Policy.First(group, AnyClient(), NoSwitches));
        group.Channels[1].BeginAttempt();
        group.Channels[1].BeginAttempt(); // 4/3 > 1/1
        Assert.Equal(0, Policy.First(group, AnyClient(), NoSwitches));
    }

    [Fact]
    public void Ties_go_round_robin_from_the_groups_position()
    {
        ChannelGroup group = Loaded(1, 1, 1);
        group.Current = 1;
        Assert.Equal(1, Policy.First(group, AnyClient(), NoSwitches));
        group.Current = 2;
        Assert.Equal(2, Policy.First(group, AnyClient(), NoSwitches));
    }

    [Fact]
    public void Through_the_table_long_connections_fill_the_channels_in_turn()
    {
        ChannelGroup group = Loaded(0, 0, 0);
        var table = new RoutingTable([group]);
        int[] picks = Enumerable.Range(0, 6).Select(_ => table.Next(AnyClient())!.Value.Index).ToArray();
        Assert.Equal([0, 1, 2, 0, 1, 2], picks);

        group.Channels[1].EndConnection();
        group.Channels[1].EndConnection(); // channel 1 has none left
        Assert.Equal(1, table.Next(AnyClient())!.Value.Index);
        Assert.Equal(1, table.Next(AnyClient())!.Value.Index);
        Assert.Equal(2, table.Next(AnyClient())!.Value.Index); // all at 2 again: in turn from after the last pick
    }

    [Fact]
    public void Disabled_full_and_tried_channels_are_passed_over_and_a_full_one_is_noted()
    {
        ChannelGroup group = Group(0, GroupType.LeastConnections, 0, 1, 0, 0);
        group.Channels[0].Enabled = false;
        group.Channels[1].BeginAttempt(); // at its maxc of 1
        for (int i = 0; i < 3; i++)
        {
            group.Channels[2].BeginAttempt();
            group.Channels[3].BeginAttempt();
        }

        RouteCursor cursor = AnyClient();
        cursor.MarkTried(3);
        cursor.LastFailed = 3;
        Assert.Equal(2, Policy.Next(group, cursor, NoSwitches));
        Assert.True(cursor.SawFull);

        cursor.MarkTried(2);
        Assert.Equal(-1, Policy.Next(group, cursor, NoSwitches));
    }

    [Fact]
    public void Nothing_usable_is_minus_one()
    {
        ChannelGroup group = Loaded(0, 0);
        group.Channels.ForEach(c => c.Enabled = false);
        RouteCursor cursor = AnyClient();
        Assert.Equal(-1, Policy.First(group, cursor, NoSwitches));
        Assert.False(cursor.SawFull);
    }
}
