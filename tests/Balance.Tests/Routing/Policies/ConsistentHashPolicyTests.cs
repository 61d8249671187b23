using System.Net;
using Balance.Routing;
using Balance.Routing.Policies;

namespace Balance.Tests.Routing.Policies;

/// <summary>Hash groups on the Maglev table: stickiness, spread, -H spreading, joining, order independence, weights.</summary>
public sealed class ConsistentHashPolicyTests
{
    private static readonly RouteRules WithoutH = new(HashFailover: false, AutoDisable: false);
    private static readonly RouteRules WithH = new(HashFailover: true, AutoDisable: false);

    private static IPEndPoint Address(int i) => new(IPAddress.Parse($"10.1.0.{i + 1}"), 8080);

    /// <summary>A built hash group of channels at <see cref="Address"/> 0..n-1, in the order given.</summary>
    private static (ChannelGroup Group, ConsistentHashPolicy Policy) Group(int[] order, int[]? weights = null, int maxc = 0)
    {
        var policy = new ConsistentHashPolicy();
        var group = new ChannelGroup();
        group.Use(GroupType.Hash, policy);
        foreach (int i in order)
        {
            group.Channels.Add(new Channel(Address(i), maxc, weight: weights?[i] ?? 1));
        }

        policy.Rebuild(group.Describe());
        return (group, policy);
    }

    private static (ChannelGroup Group, ConsistentHashPolicy Policy) Group(int channels) => Group(Enumerable.Range(0, channels).ToArray());

    private static uint Hash(string address) => ClientHash.Of(IPAddress.Parse(address));

    private static IEnumerable<uint> Clients(int count) => Enumerable.Range(0, count).Select(i => Hash($"172.16.{i / 250}.{(i % 250) + 1}"));

    private static int Pick(ChannelGroup group, uint client, RouteRules rules) => group.Policy.First(group, new RouteCursor(client), rules);

    [Fact]
    public void A_client_keeps_its_channel_whatever_the_position()
    {
        var (group, _) = Group(5);
        foreach (uint client in Clients(50))
        {
            int first = Pick(group, client, WithoutH);
            for (int current = 0; current < 5; current++)
            {
                group.Current = current;
                Assert.Equal(first, Pick(group, client, WithoutH));
            }
        }
    }

    [Fact]
    public void Neighbouring_clients_spread_over_every_channel()
    {
        var (group, _) = Group(7);
        var counts = new int[7];
        for (int i = 1; i <= 250; i++)
        {
            counts[Pick(group, Hash($"127.0.0.{i}"), WithoutH)]++;
        }

        Assert.All(counts, n => Assert.InRange(n, 15, 60)); // 250 / 7 ≈ 36 each
    }

    [Fact]
    public void IPv6_and_mapped_IPv4_clients_are_hashed_too()
    {
        var (group, _) = Group(3);
        var hit = new HashSet<int>();
        for (int i = 1; i <= 60; i++)
        {
            hit.Add(Pick(group, Hash($"2001:db8::{i:x}"), WithoutH));
            Assert.Equal(Pick(group, Hash($"192.0.2.{i}"), WithoutH), Pick(group, Hash($"::ffff:192.0.2.{i}"), WithoutH));
        }

        Assert.Equal(3, hit.Count);
    }

    [Fact]
    public void Without_H_an_unusable_own_channel_skips_the_group()
    {
        var (group, _) = Group(4);
        uint client = Clients(1).Single();
        int own = Pick(group, client, WithoutH);
        group.Channels[own].Enabled = false;
        Assert.Equal(-1, Pick(group, client, WithoutH));
        var cursor = new RouteCursor(client);
        cursor.MarkTried(own);
        cursor.LastFailed = own;
        Assert.Equal(-1, group.Policy.Next(group, cursor, WithoutH));
    }

    [Fact]
    public void A_full_own_channel_is_noted_on_the_cursor_a_disabled_one_is_not()
    {
        var (group, _) = Group([0, 1, 2], maxc: 1);
        uint client = Clients(1).Single();
        int own = Pick(group, client, WithoutH);
        group.Channels[own].BeginAttempt();
        var full = new RouteCursor(client);
        Assert.Equal(-1, group.Policy.First(group, full, WithoutH));
        Assert.True(full.SawFull);

        group.Channels[own].EndConnection();
        group.Channels[own].Enabled = false;
        var disabled = new RouteCursor(client);
        Assert.Equal(-1, group.Policy.First(group, disabled, WithoutH));
        Assert.False(disabled.SawFull);
    }

    [Fact]
    public void With_H_the_clients_of_a_disabled_channel_spread_over_all_the_others_and_nobody_else_moves()
    {
        var (group, _) = Group(6);
        uint[] clients = Clients(3000).ToArray();
        int[] before = clients.Select(c => Pick(group, c, WithH)).ToArray();
        group.Channels[2].Enabled = false;
        int[] after = clients.Select(c => Pick(group, c, WithH)).ToArray();

        var landed = new int[6];
        for (int i = 0; i < clients.Length; i++)
        {
            if (before[i] == 2)
            {
                landed[after[i]]++;
            }
            else
            {
                Assert.Equal(before[i], after[i]); // clients of the other channels stay
            }
        }

        Assert.Equal(0, landed[2]);
        int displaced = landed.Sum();
        Assert.All(new[] { 0, 1, 3, 4, 5 }, c => Assert.InRange(landed[c], displaced / 5 / 2, displaced / 5 * 2));
    }

    [Fact]
    public void With_H_a_displaced_client_lands_on_the_same_channel_every_time_and_returns_home()
    {
        var (group, _) = Group(8);
        uint client = Clients(1).Single();
        int own = Pick(group, client, WithH);
        group.Channels[own].Enabled = false;
        int elsewhere = Pick(group, client, WithH);
        Assert.NotEqual(own, elsewhere);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(elsewhere, Pick(group, client, WithH));
        }

        group.Channels[own].Enabled = true;
        Assert.Equal(own, Pick(group, client, WithH));
    }

    [Fact]
    public void With_H_a_failed_connect_goes_on_to_untried_channels_until_none_is_left()
    {
        var (group, _) = Group(4);
        var cursor = new RouteCursor(Clients(1).Single());
        var tried = new List<int> { group.Policy.First(group, cursor, WithH) };
        while (true)
        {
            cursor.MarkTried(tried[^1]);
            cursor.LastFailed = tried[^1];
            int next = group.Policy.Next(group, cursor, WithH);
            if (next < 0)
            {
                break;
            }

            tried.Add(next);
        }

        Assert.Equal([0, 1, 2, 3], tried.Order());
    }

    [Fact]
    public void With_H_one_usable_channel_among_many_is_found_and_none_gives_minus_one()
    {
        var (group, _) = Group(16);
        for (int i = 0; i < 16; i++)
        {
            group.Channels[i].Enabled = i == 11;
        }

        Assert.All(Clients(40), c => Assert.Equal(11, Pick(group, c, WithH)));
        group.Channels[11].Enabled = false;
        Assert.All(Clients(40), c => Assert.Equal(-1, Pick(group, c, WithH)));
    }

    [Fact]
    public void The_order_of_the_channels_on_the_command_line_changes_no_client()
    {
        var (forward, _) = Group([0, 1, 2, 3, 4, 5]);
        var (shuffled, _) = Group([4, 1, 5, 0, 3, 2]);
        foreach (uint client in Clients(2000))
        {
            Assert.Equal(forward.Channels[Pick(forward, client, WithoutH)].EndPoint, shuffled.Channels[Pick(shuffled, client, WithoutH)].EndPoint);
        }
    }

    [Fact]
    public void A_created_channel_takes_no_client_until_it_joins_and_then_only_its_share()
    {
        var (group, policy) = Group(9);
        uint[] clients = Clients(5000).ToArray();
        int[] before = clients.Select(c => Pick(group, c, WithoutH)).ToArray();

        group.Channels.Add(new Channel(Address(9), 0, enabled: false)); // create: disabled, not joined
        policy.Rebuild(group.Describe());
        Assert.Equal(before, clients.Select(c => Pick(group, c, WithoutH)).ToArray());

        group.Channels[9].Enabled = true;
        group.Channels[9].Joined = true; // the first enable
        policy.Rebuild(group.Describe());
        int[] after = clients.Select(c => Pick(group, c, WithoutH)).ToArray();
        double toNew = (double)before.Zip(after).Count(p => p.First != p.Second && p.Second == 9) / clients.Length;
        double elsewhere = (double)before.Zip(after).Count(p => p.First != p.Second && p.Second != 9) / clients.Length;
        Assert.InRange(toNew, 0.07, 0.13); // its share, 1/10, with room for 5000 samples
        Assert.True(elsewhere <= 0.015, $"{elsewhere:P2} of the clients moved between the old channels");
    }

    [Fact]
    public void Weights_give_shares_in_proportion()
    {
        var (group, _) = Group([0, 1, 2], weights: [1, 3, 6]);
        var counts = new double[3];
        uint[] clients = Clients(10000).ToArray();
        foreach (uint client in clients)
        {
            counts[Pick(group, client, WithoutH)]++;
        }

        Assert.InRange(counts[0] / clients.Length, 0.08, 0.12);
        Assert.InRange(counts[1] / clients.Length, 0.27, 0.33);
        Assert.InRange(counts[2] / clients.Length, 0.57, 0.63);
    }

    [Fact]
    public void Equal_addresses_are_told_apart_and_each_gets_clients()
    {
        var policy = new ConsistentHashPolicy();
        var group = new ChannelGroup();
        group.Use(GroupType.Hash, policy);
        group.Channels.Add(new Channel(Address(0), 0));
        group.Channels.Add(new Channel(Address(0), 0));
        policy.Rebuild(group.Describe());
        Assert.Equal(2, Clients(200).Select(c => Pick(group, c, WithoutH)).Distinct().Count());
    }

    [Fact]
    public void A_group_never_built_or_without_joined_channels_has_nothing()
    {
        var group = new ChannelGroup();
        group.Use(GroupType.Hash, new ConsistentHashPolicy());
        group.Channels.Add(new Channel(Address(0), 0, enabled: false));
        Assert.Equal(-1, Pick(group, 1, WithH));
        group.Policy.Rebuild(group.Describe());
        Assert.Equal(-1, Pick(group, 1, WithH));
    }
}
