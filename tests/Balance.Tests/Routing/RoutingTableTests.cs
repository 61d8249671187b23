using System.Net;
using Balance.Routing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing;

/// <summary>The rules of "Choosing a channel" (docs/behaviour.md) and the control operations.</summary>
public sealed class RoutingTableTests
{
    private static RoutingTable Table(params ChannelGroup[] groups) => new(groups);

    /// <summary>Asks for the next channel and checks it is channel <paramref name="channel"/> of group <paramref name="group"/>.</summary>
    private static ChannelLease Pick(RoutingTable table, RouteCursor cursor, int group, int channel)
    {
        ChannelLease? lease = table.Next(cursor);
        Assert.True(lease.HasValue, $"expected group {group} channel {channel}, got none");
        Assert.Equal((group, channel), (lease.Value.Group, lease.Value.Index));
        Assert.Equal(PortOf(group, channel), lease.Value.Channel.EndPoint.Port);
        return lease.Value;
    }

    /// <summary>A new connection that ends at once: only the round-robin position moves.</summary>
    private static void PickAndEnd(RoutingTable table, int group, int channel) =>
        Pick(table, AnyClient(), group, channel).Channel.EndConnection();

    // ---- round robin ----

    [Fact]
    public void Round_robin_starts_at_channel_0_and_takes_turns()
    {
        var table = Table(Rr(0, 3));
        foreach (int expected in new[] { 0, 1, 2, 0, 1, 2, 0 })
        {
            PickAndEnd(table, 0, expected);
        }
    }

    [Fact]
    public void Round_robin_takes_turns_also_while_connections_stay_open()
    {
        var table = Table(Rr(0, 2));
        Pick(table, AnyClient(), 0, 0);
        Pick(table, AnyClient(), 0, 1);
        Pick(table, AnyClient(), 0, 0);
    }

    [Fact]
    public void Current_is_the_picked_channel_plus_one_wrapping()
    {
        var group = Rr(0, 3);
        var table = Table(group);
        Assert.Equal(0, group.Current);
        PickAndEnd(table, 0, 0);
        Assert.Equal(1, group.Current);
        PickAndEnd(table, 0, 1);
        Assert.Equal(2, group.Current);
        PickAndEnd(table, 0, 2);
        Assert.Equal(0, group.Current);
    }

    [Fact]
    public void Round_robin_starts_from_current()
    {
        var group = Rr(0, 4);
        group.Current = 2;
        var table = Table(group);
        PickAndEnd(table, 0, 2);
        PickAndEnd(table, 0, 3);
        PickAndEnd(table, 0, 0);
    }

    [Fact]
    public void Disabled_channels_are_skipped()
    {
        var group = Rr(0, 3);
        group.Channels[1].Enabled = false;
        var table = Table(group);
        foreach (int expected in new[] { 0, 2, 0, 2 })
        {
            PickAndEnd(table, 0, expected);
        }

        Assert.Equal(0, group.Channels[1].TotalConnections);
    }

    [Fact]
    public void Skipping_moves_current_past_the_picked_channel()
    {
        var group = Rr(0, 4);
        group.Channels[1].Enabled = false;
        group.Channels[2].Enabled = false;
        var table = Table(group);
        PickAndEnd(table, 0, 0);
        PickAndEnd(table, 0, 3);
        Assert.Equal(0, group.Current);
    }

    [Fact]
    public void Full_channels_are_skipped_until_a_connection_ends()
    {
        var group = Group(0, GroupType.RoundRobin, 0, 1, 0);
        var table = Table(group);
        PickAndEnd(table, 0, 0);
        ChannelLease held = Pick(table, AnyClient(), 0, 1); // channel 1 is now full
        PickAndEnd(table, 0, 2);
        PickAndEnd(table, 0, 0);
        PickAndEnd(table, 0, 2); // 1 skipped
        PickAndEnd(table, 0, 0);
        held.Channel.EndConnection();
        PickAndEnd(table, 0, 1);
    }

    [Fact]
    public void Maxc_counts_simultaneous_connections()
    {
        var group = Group(0, GroupType.RoundRobin, 2);
        var table = Table(group, Rr(1, 1));
        ChannelLease a = Pick(table, AnyClient(), 0, 0);
        Pick(table, AnyClient(), 0, 0);
        Pick(table, AnyClient(), 1, 0); // group 0 is full: next group
        a.Channel.EndConnection();
        Pick(table, AnyClient(), 0, 0);
        Assert.Equal(2, group.Channels[0].Connections);
        Assert.Equal(3, group.Channels[0].TotalConnections);
    }

    [Fact]
    public void Maxc_0_is_unlimited()
    {
        var group = Rr(0, 1);
        var table = Table(group, Rr(1, 1));
        for (int i = 0; i < 1000; i++)
        {
            Pick(table, AnyClient(), 0, 0);
        }

        Assert.Equal(1000, group.Channels[0].Connections);
    }

    [Fact]
    public void The_search_wraps_around_once()
    {
        var group = Rr(0, 3);
        group.Current = 2;
        group.Channels[2].Enabled = false;
        var table = Table(group);
        PickAndEnd(table, 0, 0);
        Assert.Equal(1, group.Current);
    }

    [Fact]
    public void A_group_with_no_usable_channel_passes_to_the_next_group()
    {
        var g0 = Group(0, GroupType.RoundRobin, 1, 0);
        g0.Channels[1].Enabled = false;
        var table = Table(g0, Rr(1, 2));
        Pick(table, AnyClient(), 0, 0); // fills channel 0
        Pick(table, AnyClient(), 1, 0);
        Pick(table, AnyClient(), 1, 1);
        Pick(table, AnyClient(), 1, 0);
        Assert.Equal(0, g0.Channels[1].TotalConnections);
    }

    [Fact]
    public void Manual_example_mailserver1_up_to_16_then_mailserver2()
    {
        var g0 = Group(0, GroupType.RoundRobin, 16);
        var table = Table(g0, Rr(1, 1));
        for (int i = 0; i < 16; i++)
        {
            Pick(table, AnyClient(), 0, 0);
        }

        for (int i = 0; i < 5; i++)
        {
            Pick(table, AnyClient(), 1, 0);
        }

        g0.Channels[0].EndConnection();
        Pick(table, AnyClient(), 0, 0);
    }

    [Fact]
    public void Empty_groups_are_passed_over()
    {
        var table = Table(new ChannelGroup(), new ChannelGroup { Type = GroupType.Hash }, Rr(2, 1));
        Pick(table, AnyClient(), 2, 0);
    }

    [Fact]
    public void No_groups_means_no_channel()
    {
        Assert.Null(Table().Next(AnyClient()));
    }

    // ---- failover ----

    [Fact]
    public void Failover_tries_the_rest_of_a_round_robin_group_in_order_then_the_next_group()
    {
        var table = Table(Rr(0, 3), Rr(1, 2));
        RouteCursor cursor = AnyClient();
        table.Failed(cursor, Pick(table, cursor, 0, 0));
        table.Failed(cursor, Pick(table, cursor, 0, 1));
        table.Failed(cursor, Pick(table, cursor, 0, 2));
        table.Failed(cursor, Pick(table, cursor, 1, 0));
        table.Failed(cursor, Pick(table, cursor, 1, 1));
        Assert.Null(table.Next(cursor));
        Assert.Null(table.Next(cursor));
    }

    [Fact]
    public void Failover_continues_after_the_failed_channel_and_wraps_without_repeating()
    {
        var group = Rr(0, 3);
        group.Current = 1;
        var table = Table(group);
        RouteCursor cursor = AnyClient();
        table.Failed(cursor, Pick(table, cursor, 0, 1));
        table.Failed(cursor, Pick(table, cursor, 0, 2));
        table.Failed(cursor, Pick(table, cursor, 0, 0));
        Assert.Null(table.Next(cursor));
    }

    [Fact]
    public void Failover_follows_the_failed_channel_not_the_group_position()
    {
        var table = Table(Rr(0, 4));
        RouteCursor cursor = AnyClient();
        ChannelLease first = Pick(table, cursor, 0, 0);
        PickAndEnd(table, 0, 1); // other clients move current on
        PickAndEnd(table, 0, 2);
        table.Failed(cursor, first);
        Pick(table, cursor, 0, 1);
    }

    [Fact]
    public void Failover_skips_disabled_and_full_channels()
    {
        var group = Group(0, GroupType.RoundRobin, 0, 0, 1, 0);
        var table = Table(group, Rr(1, 1));
        group.Channels[1].Enabled = false;
        ChannelLease hold = Pick(table, AnyClient(), 0, 0);
        hold.Channel.EndConnection();
        Pick(table, AnyClient(), 0, 2); // channel 2 full from now on
        RouteCursor cursor = AnyClient();
        table.Failed(cursor, Pick(table, cursor, 0, 3));
        table.Failed(cursor, Pick(table, cursor, 0, 0));
        Pick(table, cursor, 1, 0);
        Assert.Equal(0, group.Channels[1].TotalConnections);
        Assert.Equal(1, group.Channels[2].TotalConnections);
    }

    [Fact]
    public void A_channel_disabled_during_failover_is_not_tried()
    {
        var group = Rr(0, 3);
        var table = Table(group);
        RouteCursor cursor = AnyClient();
        ChannelLease lease = Pick(table, cursor, 0, 0);
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 1, false));
        table.Failed(cursor, lease);
        Pick(table, cursor, 0, 2);
    }

    [Fact]
    public void All_channels_failing_gives_no_channel()
    {
        var table = Table(Rr(0, 2), Hash(1, 2), Rr(2, 1));
        RouteCursor cursor = AnyClient();
        int attempts = 0;
        while (table.Next(cursor) is ChannelLease lease)
        {
            attempts++;
            table.Failed(cursor, lease);
            Assert.True(attempts < 10);
        }

        // two of group 0, only the hashed one of group 1 (no -H), one of group 2
        Assert.Equal(4, attempts);
    }

    [Fact]
    public void Everything_disabled_gives_no_channel_and_counts_nothing()
    {
        var g0 = Rr(0, 2);
        var g1 = Hash(1, 2);
        foreach (Channel c in g0.Channels.Concat(g1.Channels))
        {
            c.Enabled = false;
        }

        var table = new RoutingTable([g0, g1], hashFailover: true);
        Assert.Null(table.Next(AnyClient()));
        Assert.All(g0.Channels.Concat(g1.Channels), c => Assert.Equal(0, c.TotalConnections));
    }

    // ---- hash groups ----

    [Fact]
    public void Hash_keeps_a_client_on_one_channel()
    {
        var group = Hash(0, 5);
        var table = Table(group);
        foreach (string client in new[] { "192.0.2.3", "198.51.100.9", "2001:db8::17" })
        {
            ChannelLease first = table.Next(Client(client))!.Value;
            first.Channel.EndConnection();
            for (int i = 0; i < 20; i++)
            {
                table.Next(Client($"10.200.0.{i + 1}"))!.Value.Channel.EndConnection(); // other clients in between
                Pick(table, Client(client), 0, first.Index).Channel.EndConnection();
            }
        }
    }

    [Fact]
    public void Hash_ignores_the_group_position()
    {
        var group = Hash(0, 3);
        var table = Table(group);
        string client = ClientFor(1, 3);
        for (int current = 0; current < 3; current++)
        {
            group.Current = current;
            Pick(table, Client(client), 0, 1).Channel.EndConnection();
        }
    }

    [Fact]
    public void Hash_sets_current_after_the_picked_channel()
    {
        var group = Hash(0, 3);
        var table = Table(group);
        Pick(table, Client(ClientFor(1, 3)), 0, 1);
        Assert.Equal(2, group.Current);
        Pick(table, Client(ClientFor(2, 3)), 0, 2);
        Assert.Equal(0, group.Current);
    }

    [Fact]
    public void Hash_spreads_neighbouring_clients_over_every_channel()
    {
        var group = Hash(0, 3);
        var table = Table(group);
        var hit = new HashSet<int>();
        for (int i = 1; i <= 50; i++)
        {
            ChannelLease lease = table.Next(Client($"127.0.0.{i}"))!.Value;
            lease.Channel.EndConnection();
            hit.Add(lease.Index);
        }

        Assert.Equal([0, 1, 2], hit.Order());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(16)]
    public void Hash_spreads_over_groups_of_any_size(int channels)
    {
        var table = Table(Hash(0, channels));
        var perChannel = new int[channels];
        for (int i = 1; i <= 250; i++)
        {
            ChannelLease lease = table.Next(Client($"192.168.1.{i}"))!.Value;
            lease.Channel.EndConnection();
            perChannel[lease.Index]++;
        }

        Assert.All(perChannel, n => Assert.True(n > 0));
    }

    [Fact]
    public void Hash_spreads_IPv6_clients_too()
    {
        var table = Table(Hash(0, 3));
        var hit = new HashSet<int>();
        for (int i = 1; i <= 50; i++)
        {
            ChannelLease lease = table.Next(Client($"2001:db8::{i:x}"))!.Value;
            lease.Channel.EndConnection();
            hit.Add(lease.Index);
        }

        Assert.Equal(3, hit.Count);
    }

    [Fact]
    public void Hash_never_looks_at_the_client_port()
    {
        var table = Table(Hash(0, 7));
        var address = IPAddress.Parse("198.51.100.4");
        int? channel = null;
        foreach (int port in new[] { 1, 1024, 40000, 65535 })
        {
            var remote = new IPEndPoint(address, port);
            ChannelLease lease = table.Next(new RouteCursor(ClientHash.Of(remote.Address)))!.Value;
            lease.Channel.EndConnection();
            channel ??= lease.Index;
            Assert.Equal(channel, lease.Index);
        }
    }

    [Fact]
    public void An_IPv4_client_seen_as_mapped_IPv6_gets_the_same_channel()
    {
        var table = Table(Hash(0, 5));
        for (int i = 1; i <= 20; i++)
        {
            int v4 = table.Next(Client($"1.2.3.{i}"))!.Value.Index;
            int mapped = table.Next(Client($"::ffff:1.2.3.{i}"))!.Value.Index;
            Assert.Equal(v4, mapped);
        }
    }

    [Fact]
    public void Without_hash_failover_a_disabled_hashed_channel_makes_the_group_unusable()
    {
        var group = Hash(0, 3);
        var table = Table(group, Rr(1, 1));
        group.Channels[1].Enabled = false;
        Pick(table, Client(ClientFor(1, 3)), 1, 0);
        Pick(table, Client(ClientFor(2, 3)), 0, 2); // other clients are not affected
        Assert.Equal(0, group.Channels[1].TotalConnections);
    }

    [Fact]
    public void Without_hash_failover_a_full_hashed_channel_makes_the_group_unusable()
    {
        var group = Group(0, GroupType.Hash, 0, 1, 0);
        var table = Table(group, Rr(1, 1));
        string client = ClientFor(1, 3);
        Pick(table, Client(client), 0, 1);
        Pick(table, Client(client), 1, 0);
        Assert.Equal(1, group.Channels[1].TotalConnections);
        Assert.Equal(0, group.Channels[0].TotalConnections + group.Channels[2].TotalConnections);
    }

    [Fact]
    public void With_hash_failover_the_next_usable_channel_after_the_hashed_one_is_taken()
    {
        var group = Hash(0, 4);
        var table = new RoutingTable([group, Rr(1, 1)], hashFailover: true);
        string client = ClientFor(1, 4);
        group.Channels[1].Enabled = false;
        Pick(table, Client(client), 0, 2).Channel.EndConnection();
        group.Channels[2].Enabled = false;
        Pick(table, Client(client), 0, 3).Channel.EndConnection();
        group.Channels[3].Enabled = false;
        Pick(table, Client(client), 0, 0).Channel.EndConnection(); // wraps
        group.Channels[0].Enabled = false;
        Pick(table, Client(client), 1, 0);
    }

    [Fact]
    public void With_hash_failover_a_full_hashed_channel_passes_to_the_next()
    {
        var group = Group(0, GroupType.Hash, 0, 0, 1);
        var table = new RoutingTable([group], hashFailover: true);
        string client = ClientFor(2, 3);
        Pick(table, Client(client), 0, 2);
        Pick(table, Client(client), 0, 0); // wraps past the full last channel
    }

    [Fact]
    public void A_failed_hash_channel_without_hash_failover_goes_to_the_next_group()
    {
        var group = Hash(0, 3);
        var table = Table(group, Rr(1, 1));
        RouteCursor cursor = Client(ClientFor(0, 3));
        table.Failed(cursor, Pick(table, cursor, 0, 0));
        Pick(table, cursor, 1, 0);
        Assert.Equal(0, group.Channels[1].TotalConnections + group.Channels[2].TotalConnections);
    }

    [Fact]
    public void A_failed_hash_channel_with_hash_failover_tries_the_rest_of_the_group_in_order()
    {
        var table = new RoutingTable([Hash(0, 3), Rr(1, 1)], hashFailover: true);
        RouteCursor cursor = Client(ClientFor(1, 3));
        table.Failed(cursor, Pick(table, cursor, 0, 1));
        table.Failed(cursor, Pick(table, cursor, 0, 2));
        table.Failed(cursor, Pick(table, cursor, 0, 0));
        Pick(table, cursor, 1, 0);
    }

    [Fact]
    public void Reaching_a_hash_group_by_failover_keeps_the_clients_channel()
    {
        var table = Table(Rr(0, 2), Hash(1, 5));
        for (int i = 1; i <= 30; i++)
        {
            string client = $"10.9.8.{i}";
            int direct = (int)(ClientHash.Of(IPAddress.Parse(client)) % 5);
            RouteCursor cursor = Client(client);
            table.Failed(cursor, table.Next(cursor)!.Value);
            table.Failed(cursor, table.Next(cursor)!.Value);
            Pick(table, cursor, 1, direct).Channel.EndConnection();
        }
    }

    [Fact]
    public void Reaching_a_hash_group_past_a_full_group_keeps_the_clients_channel()
    {
        var g0 = Group(0, GroupType.RoundRobin, 1);
        var table = Table(g0, Hash(1, 3));
        Pick(table, AnyClient(), 0, 0); // group 0 full from now on
        for (int channel = 0; channel < 3; channel++)
        {
            Pick(table, Client(ClientFor(channel, 3)), 1, channel).Channel.EndConnection();
        }
    }

    [Fact]
    public void Hash_failover_from_a_round_robin_group_into_a_hash_group_after_hash_failures()
    {
        // group 0 hash (no -H): its failure goes to group 1, where the same client hashes again
        var table = Table(Hash(0, 3), Hash(1, 3));
        string client = ClientFor(2, 3);
        RouteCursor cursor = Client(client);
        table.Failed(cursor, Pick(table, cursor, 0, 2));
        Pick(table, cursor, 1, 2);
    }

    // ---- counters ----

    [Fact]
    public void Next_counts_c_and_totalc_end_and_failure_give_c_back()
    {
        var group = Rr(0, 1);
        var table = Table(group);
        Channel channel = group.Channels[0];

        RouteCursor a = AnyClient();
        ChannelLease la = table.Next(a)!.Value;
        Assert.Equal((1, 1), (channel.Connections, channel.TotalConnections));
        ChannelLease lb = table.Next(AnyClient())!.Value;
        Assert.Equal((2, 2), (channel.Connections, channel.TotalConnections));

        table.Failed(a, la);
        Assert.Equal((1, 2), (channel.Connections, channel.TotalConnections));

        lb.Channel.EndConnection();
        Assert.Equal((0, 2), (channel.Connections, channel.TotalConnections));
    }

    [Fact]
    public void Totalc_counts_every_attempt_failed_or_not()
    {
        var g0 = Rr(0, 2);
        var table = Table(g0, Rr(1, 1));
        RouteCursor cursor = AnyClient();
        table.Failed(cursor, table.Next(cursor)!.Value);
        table.Failed(cursor, table.Next(cursor)!.Value);
        ChannelLease ok = table.Next(cursor)!.Value;
        Assert.Equal(1, g0.Channels[0].TotalConnections);
        Assert.Equal(1, g0.Channels[1].TotalConnections);
        Assert.Equal(0, g0.Channels[0].Connections);
        Assert.Equal(0, g0.Channels[1].Connections);
        Assert.Equal(1, ok.Channel.TotalConnections);
        Assert.Equal(1, ok.Channel.Connections);
    }

    // ---- autodisable ----

    [Fact]
    public void Autodisable_disables_a_failed_channel_and_reports_it_once()
    {
        var group = Rr(0, 2);
        var table = new RoutingTable([group], autoDisable: true);
        RouteCursor first = AnyClient();
        RouteCursor second = AnyClient();
        ChannelLease l1 = Pick(table, first, 0, 0);
        group.Current = 0;
        ChannelLease l2 = Pick(table, second, 0, 0);

        Assert.True(table.Failed(first, l1));
        Assert.False(group.Channels[0].Enabled);
        Assert.False(table.Failed(second, l2)); // already disabled: no second notice
        Assert.Equal(0, group.Channels[0].Connections);

        Pick(table, first, 0, 1);
        PickAndEnd(table, 0, 1);
        PickAndEnd(table, 0, 1); // channel 0 is never tried again
        Assert.Equal(2, group.Channels[0].TotalConnections);

        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 0, true));
        PickAndEnd(table, 0, 0);
    }

    [Fact]
    public void Without_autodisable_a_failed_channel_stays_enabled()
    {
        var group = Rr(0, 2);
        var table = Table(group);
        RouteCursor cursor = AnyClient();
        Assert.False(table.Failed(cursor, Pick(table, cursor, 0, 0)));
        Assert.True(group.Channels[0].Enabled);
        Assert.False(table.AutoDisable);
        Assert.False(table.HashFailover);
    }

    [Fact]
    public void Autodisable_in_a_hash_group()
    {
        var group = Hash(0, 3);
        var table = new RoutingTable([group, Rr(1, 1)], autoDisable: true);
        string client = ClientFor(1, 3);
        RouteCursor cursor = Client(client);
        Assert.True(table.Failed(cursor, Pick(table, cursor, 0, 1)));
        Pick(table, cursor, 1, 0);
        Pick(table, Client(client), 1, 0); // the client's channel stays disabled: group 0 unusable for it
        Assert.True(table.AutoDisable);
    }

    // ---- control operations ----

    [Fact]
    public void SetEnabled_results()
    {
        var table = Table(Rr(0, 2));
        Assert.Equal(ControlResult.Unchanged, table.SetEnabled(0, 0, true));
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 0, false));
        Assert.Equal(ControlResult.Unchanged, table.SetEnabled(0, 0, false));
        Assert.False(table.Status(0, 0)!.Value.Enabled);
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 0, true));
        Assert.True(table.Status(0, 0)!.Value.Enabled);

        Assert.Equal(ControlResult.NoSuchChannel, table.SetEnabled(0, 2, false));
        Assert.Equal(ControlResult.NoSuchChannel, table.SetEnabled(0, -1, false));
        Assert.Equal(ControlResult.NoSuchChannel, table.SetEnabled(1, 0, false)); // valid group, no channels
        Assert.Equal(ControlResult.NoSuchGroup, table.SetEnabled(-1, 0, false));
        Assert.Equal(ControlResult.NoSuchGroup, table.SetEnabled(Limits.MaxGroups, 0, false));
    }

    [Fact]
    public void Create_appends_a_disabled_unlimited_channel()
    {
        var group = Rr(0, 1);
        var table = Table(group);
        var endPoint = new IPEndPoint(IPAddress.Loopback, PortOf(0, 1));
        Assert.Equal(ControlResult.Done, table.Create(0, endPoint));
        ChannelStatus status = table.Status(0, 1)!.Value;
        Assert.False(status.Enabled);
        Assert.Equal(endPoint, status.EndPoint);
        Assert.Equal(0, status.MaxConnections);
        Assert.Equal(0, status.Connections);
        Assert.Equal(0, status.TotalConnections);
        Assert.Equal(0, status.BytesSent);
        Assert.Equal(0, status.BytesReceived);

        // not used until enabled
        PickAndEnd(table, 0, 0);
        PickAndEnd(table, 0, 0);
        Assert.Equal(1, group.Current); // after channel 0
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 1, true));
        PickAndEnd(table, 0, 1);
        PickAndEnd(table, 0, 0);
    }

    [Fact]
    public void Create_in_a_group_without_channels_starts_it()
    {
        var table = Table(Rr(0, 1));
        var endPoint = new IPEndPoint(IPAddress.Loopback, PortOf(5, 0));
        Assert.Equal(ControlResult.Done, table.Create(5, endPoint));
        Assert.Equal(ControlResult.Done, table.SetEnabled(5, 0, true));
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 0, false));
        Pick(table, AnyClient(), 5, 0);
    }

    [Fact]
    public void Create_fails_without_slots_or_group()
    {
        var table = Table(Rr(0, Limits.MaxChannels - 1));
        var endPoint = new IPEndPoint(IPAddress.Loopback, 1);
        Assert.Equal(ControlResult.Done, table.Create(0, endPoint));
        Assert.Equal(ControlResult.NoSlots, table.Create(0, endPoint));
        Assert.Null(table.Status(0, Limits.MaxChannels));
        Assert.Equal(ControlResult.NoSuchGroup, table.Create(-1, endPoint));
        Assert.Equal(ControlResult.NoSuchGroup, table.Create(Limits.MaxGroups, endPoint));
        Assert.Equal(ControlResult.Done, table.Create(Limits.MaxGroups - 1, endPoint));
    }

    [Fact]
    public void Every_channel_of_a_full_group_can_be_used()
    {
        var group = Rr(0, Limits.MaxChannels);
        var table = Table(group);
        RouteCursor cursor = AnyClient();
        for (int i = 0; i < Limits.MaxChannels; i++)
        {
            table.Failed(cursor, Pick(table, cursor, 0, i));
        }

        Assert.Null(table.Next(cursor));
    }

    [Fact]
    public void Assign_only_a_disabled_channel()
    {
        var table = Table(Rr(0, 2));
        var endPoint = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 8080);
        Assert.Equal(ControlResult.MustBeDisabled, table.Assign(0, 1, endPoint));
        Assert.Equal(PortOf(0, 1), table.Status(0, 1)!.Value.EndPoint.Port);

        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 1, false));
        Assert.Equal(ControlResult.Done, table.Assign(0, 1, endPoint));
        Assert.Equal(endPoint, table.Status(0, 1)!.Value.EndPoint);
        Assert.False(table.Status(0, 1)!.Value.Enabled);

        Assert.Equal(ControlResult.NoSuchChannel, table.Assign(0, 2, endPoint));
        Assert.Equal(ControlResult.NoSuchGroup, table.Assign(Limits.MaxGroups, 0, endPoint));
    }

    [Fact]
    public void SetMaxConnections_takes_effect_at_once()
    {
        var group = Rr(0, 1);
        var table = Table(group, Rr(1, 1));
        Pick(table, AnyClient(), 0, 0);
        Pick(table, AnyClient(), 0, 0);
        Assert.Equal(ControlResult.Done, table.SetMaxConnections(0, 0, 2));
        Assert.Equal(2, table.Status(0, 0)!.Value.MaxConnections);
        Pick(table, AnyClient(), 1, 0);
        Assert.Equal(ControlResult.Done, table.SetMaxConnections(0, 0, 3));
        Pick(table, AnyClient(), 0, 0);
        Pick(table, AnyClient(), 1, 0);
        Assert.Equal(ControlResult.Done, table.SetMaxConnections(0, 0, 0));
        Pick(table, AnyClient(), 0, 0);

        Assert.Equal(ControlResult.NoSuchChannel, table.SetMaxConnections(0, 1, 1));
        Assert.Equal(ControlResult.NoSuchGroup, table.SetMaxConnections(-1, 0, 1));
    }

    [Fact]
    public void ResetCounters_zeroes_totalc_sent_and_rcvd_but_not_c()
    {
        var group = Rr(0, 1);
        var table = Table(group);
        ChannelLease lease = Pick(table, AnyClient(), 0, 0);
        Pick(table, AnyClient(), 0, 0);
        lease.Channel.AddSent(100);
        lease.Channel.AddReceived(2000);
        Assert.Equal(ControlResult.Done, table.ResetCounters(0, 0));
        ChannelStatus status = table.Status(0, 0)!.Value;
        Assert.Equal(2, status.Connections);
        Assert.Equal(0, status.TotalConnections);
        Assert.Equal(0, status.BytesSent);
        Assert.Equal(0, status.BytesReceived);

        Assert.Equal(ControlResult.NoSuchChannel, table.ResetCounters(0, 1));
        Assert.Equal(ControlResult.NoSuchGroup, table.ResetCounters(Limits.MaxGroups, 0));
    }

    [Fact]
    public void SetType_switches_the_distribution_scheme()
    {
        var group = Rr(0, 3);
        var table = Table(group);
        Assert.Equal(ControlResult.Done, table.SetType(0, GroupType.Hash));
        Assert.Equal(GroupType.Hash, table.Status(0, 0)!.Value.Type);
        string client = ClientFor(2, 3);
        Pick(table, Client(client), 0, 2).Channel.EndConnection();
        Pick(table, Client(client), 0, 2).Channel.EndConnection();

        Assert.Equal(ControlResult.Done, table.SetType(0, GroupType.RoundRobin));
        Pick(table, Client(client), 0, 0);
        Pick(table, Client(client), 0, 1);

        Assert.Equal(ControlResult.Done, table.SetType(9, GroupType.Hash));
        Assert.Equal(ControlResult.NoSuchGroup, table.SetType(-1, GroupType.Hash));
        Assert.Equal(ControlResult.NoSuchGroup, table.SetType(Limits.MaxGroups, GroupType.Hash));
    }

    [Fact]
    public void Snapshot_lists_channels_group_by_group()
    {
        var g0 = Group(0, GroupType.RoundRobin, 0, 4);
        var g2 = Hash(2, 1);
        var table = Table(g0, new ChannelGroup(), g2);
        g0.Channels[1].Enabled = false;
        ChannelLease lease = Pick(table, AnyClient(), 0, 0);
        lease.Channel.AddSent(5);
        lease.Channel.AddReceived(7);

        List<ChannelStatus> rows = table.Snapshot();
        Assert.Equal(3, rows.Count);
        Assert.Equal(
            new ChannelStatus(0, GroupType.RoundRobin, 0, true, new IPEndPoint(IPAddress.Loopback, PortOf(0, 0)), 1, 1, 0, 5, 7) { Lifetime = new(1, 5, 7) },
            rows[0]);
        Assert.Equal(
            new ChannelStatus(0, GroupType.RoundRobin, 1, false, new IPEndPoint(IPAddress.Loopback, PortOf(0, 1)), 0, 0, 4, 0, 0),
            rows[1]);
        Assert.Equal(
            new ChannelStatus(2, GroupType.Hash, 0, true, new IPEndPoint(IPAddress.Loopback, PortOf(2, 0)), 0, 0, 0, 0, 0),
            rows[2]);
    }

    [Fact]
    public void Status_of_missing_channels_and_groups_is_null()
    {
        var table = Table(Rr(0, 1));
        Assert.NotNull(table.Status(0, 0));
        Assert.Null(table.Status(0, 1));
        Assert.Null(table.Status(0, -1));
        Assert.Null(table.Status(1, 0));
        Assert.Null(table.Status(-1, 0));
        Assert.Null(table.Status(Limits.MaxGroups, 0));
    }

    [Fact]
    public void Valid_groups_are_0_to_MaxGroups_minus_1()
    {
        Assert.True(RoutingTable.IsValidGroup(0));
        Assert.True(RoutingTable.IsValidGroup(Limits.MaxGroups - 1));
        Assert.False(RoutingTable.IsValidGroup(-1));
        Assert.False(RoutingTable.IsValidGroup(Limits.MaxGroups));
    }

    [Fact]
    public void At_most_MaxGroups_groups()
    {
        ChannelGroup[] groups = Enumerable.Range(0, Limits.MaxGroups).Select(g => Rr(g, 1)).ToArray();
        var table = new RoutingTable(groups);
        Assert.Equal(Limits.MaxGroups, table.Snapshot().Count);
        Assert.Throws<ArgumentException>(() => new RoutingTable([.. groups, Rr(Limits.MaxGroups, 1)]));
    }

    [Fact]
    public void Failover_reaches_the_last_group()
    {
        ChannelGroup[] groups = Enumerable.Range(0, Limits.MaxGroups).Select(g => Rr(g, 1)).ToArray();
        var table = new RoutingTable(groups);
        RouteCursor cursor = AnyClient();
        for (int g = 0; g < Limits.MaxGroups; g++)
        {
            table.Failed(cursor, Pick(table, cursor, g, 0));
        }

        Assert.Null(table.Next(cursor));
    }

    // ---- concurrency ----

    [Fact]
    public void Concurrent_connections_never_exceed_maxc()
    {
        int[] maxc = [2, 1];
        var g0 = Group(0, GroupType.RoundRobin, maxc);
        var g1 = Rr(1, 1);
        var table = new RoutingTable([g0, g1]);
        const int Threads = 8;
        const int Iterations = 4000;
        var inFlight = new int[maxc.Length];
        var highest = new int[maxc.Length];
        long leases = 0;
        string? violation = null;
        using var start = new Barrier(Threads + 1);

        void Worker(int seed)
        {
            var random = new Random(seed);
            start.SignalAndWait();
            for (int i = 0; i < Iterations && violation is null; i++)
            {
                RouteCursor cursor = Client($"10.{seed}.{i >> 8 & 255}.{i & 255}");
                while (table.Next(cursor) is ChannelLease lease)
                {
                    Interlocked.Increment(ref leases);
                    int slot = lease.Group == 0 ? lease.Index : -1;
                    if (slot >= 0)
                    {
                        int now = Interlocked.Increment(ref inFlight[slot]);
                        long counted = lease.Channel.Connections;
                        if (now > maxc[slot] || counted > maxc[slot])
                        {
                            violation = $"channel {slot}: {now} in flight, c = {counted}, maxc {maxc[slot]}";
                        }

                        InterlockedMax(ref highest[slot], now);
                        for (int hold = random.Next(3); hold > 0; hold--)
                        {
                            Thread.Yield(); // let the others run into the full channel
                        }

                        Interlocked.Decrement(ref inFlight[slot]);
                    }

                    if (random.Next(4) == 0)
                    {
                        table.Failed(cursor, lease); // failover: loop on
                        continue;
                    }

                    lease.Channel.EndConnection();
                    break;
                }
            }
        }

        Thread[] threads = Enumerable.Range(1, Threads).Select(n => new Thread(() => Worker(n))).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        start.SignalAndWait();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Null(violation);
        Assert.All(highest, h => Assert.True(h >= 1));
        Assert.All(g0.Channels.Concat(g1.Channels), c => Assert.Equal(0, c.Connections));
        Assert.Equal(leases, g0.Channels.Concat(g1.Channels).Sum(c => c.TotalConnections));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    [Fact]
    public void Concurrent_failures_with_autodisable_report_the_channel_once()
    {
        var group = Rr(0, 1);
        var table = new RoutingTable([group], autoDisable: true);
        const int Connections = 16;
        var held = Enumerable.Range(0, Connections).Select(_ =>
        {
            RouteCursor cursor = AnyClient();
            return (Cursor: cursor, Lease: table.Next(cursor)!.Value);
        }).ToArray();
        int reported = 0;
        using var start = new Barrier(Connections);
        Thread[] threads = held.Select(h => new Thread(() =>
        {
            start.SignalAndWait();
            if (table.Failed(h.Cursor, h.Lease))
            {
                Interlocked.Increment(ref reported);
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(1, reported);
        Assert.False(group.Channels[0].Enabled);
        Assert.Equal(0, group.Channels[0].Connections);
        Assert.Equal(Connections, group.Channels[0].TotalConnections);
    }
}
