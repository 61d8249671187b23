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

    // ---- weights ----

    /// <summary>A round-robin group with these weights, built as the routing table builds it.</summary>
    private static ChannelGroup Weighted(params int[] weights)
    {
        ChannelGroup group = Rr(0, weights.Length);
        for (int c = 0; c < weights.Length; c++)
        {
            group.Channels[c].Weight = weights[c];
        }

        group.Policy.Rebuild(group.Describe());
        return group;
    }

    private static int[] Picks(ChannelGroup group, int count)
    {
        var table = new RoutingTable([group]);
        var picks = new int[count];
        for (int i = 0; i < count; i++)
        {
            ChannelLease lease = table.Next(AnyClient())!.Value;
            lease.Channel.EndConnection();
            picks[i] = lease.Index;
        }

        return picks;
    }

    [Fact]
    public void Weights_give_each_channel_exactly_its_weight_over_each_cycle_spread_out()
    {
        ChannelGroup group = Weighted(3, 1, 2);
        int[] picks = Picks(group, 6 * 5);
        Assert.Equal([0, 2, 0, 1, 2, 0], picks[..6]); // smooth: never three of one in a row
        for (int cycle = 0; cycle < 5; cycle++)
        {
            int[] one = picks[(cycle * 6)..((cycle + 1) * 6)];
            Assert.Equal(3, one.Count(c => c == 0));
            Assert.Equal(1, one.Count(c => c == 1));
            Assert.Equal(2, one.Count(c => c == 2));
        }
    }

    [Fact]
    public void Heavy_weights_stay_exact_over_a_cycle()
    {
        int[] weights = [1000, 1, 999, 7];
        int[] picks = Picks(Weighted(weights), weights.Sum());
        for (int c = 0; c < weights.Length; c++)
        {
            Assert.Equal(weights[c], picks.Count(p => p == c));
        }
    }

    [Fact]
    public void All_weights_1_is_the_position_walk_itself()
    {
        ChannelGroup group = Weighted(1, 1, 1, 1);
        group.Current = 2;
        Assert.Equal(2, Policy.First(group, AnyClient(), NoSwitches));
        Assert.Equal([2, 3, 0, 1, 2], Picks(group, 5));
    }

    [Fact]
    public void Weighted_picks_pass_over_unusable_channels_and_share_among_the_rest()
    {
        ChannelGroup group = Weighted(2, 5, 1);
        group.Channels[1].Enabled = false;
        int[] picks = Picks(group, 9);
        Assert.DoesNotContain(1, picks);
        Assert.Equal(6, picks.Count(p => p == 0));
        Assert.Equal(3, picks.Count(p => p == 2));
    }

    [Fact]
    public void A_failed_channel_of_a_weighted_group_fails_over_in_order()
    {
        ChannelGroup group = Weighted(1, 1, 3);
        RouteCursor cursor = AnyClient();
        cursor.MarkTried(0);
        cursor.LastFailed = 0;
        Assert.Equal(1, Policy.Next(group, cursor, NoSwitches));
    }
}
