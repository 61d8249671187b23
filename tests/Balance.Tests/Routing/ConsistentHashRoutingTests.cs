using System.Net;
using Balance.Routing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing;

/// <summary>
/// The rules of hash groups (docs/behaviour.md, "Choosing a channel") through
/// the routing table with the default, consistent mapping: the same rules
/// RoutingTableTests pins down channel by channel on the modulo mapping.
/// </summary>
public sealed class ConsistentHashRoutingTests
{
    /// <summary>A consistent hash group, channel C on port PortOf(group, C).</summary>
    private static ChannelGroup Consistent(int groupIndex, params int[] maxConnections)
    {
        var group = new ChannelGroup { Type = GroupType.Hash };
        for (int c = 0; c < maxConnections.Length; c++)
        {
            group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, PortOf(groupIndex, c)), maxConnections[c]));
        }

        return group;
    }

    private static ChannelGroup Consistent(int groupIndex, int channels) => Consistent(groupIndex, new int[channels]);

    /// <summary>The channel the client reaches in group <paramref name="group"/> of <paramref name="table"/>, slot given back at once.</summary>
    private static int Own(RoutingTable table, string client)
    {
        ChannelLease lease = table.Next(Client(client))!.Value;
        lease.Channel.EndConnection();
        return lease.Index;
    }

    private static IEnumerable<string> Clients(int count) => Enumerable.Range(1, count).Select(i => $"10.20.{i / 200}.{(i % 200) + 1}");

    [Fact]
    public void Hash_is_the_default_mapping_of_a_table()
    {
        var table = new RoutingTable([Consistent(0, 3)]);
        Assert.Equal(GroupType.Hash, table.HashType);
        Assert.IsType<Balance.Routing.Policies.ConsistentHashPolicy>(new ChannelGroup { Type = GroupType.Hash }.Policy);
    }

    [Fact]
    public void A_client_keeps_its_channel_while_others_come_and_go_and_the_position_moves()
    {
        ChannelGroup group = Consistent(0, 5);
        var table = new RoutingTable([group]);
        foreach (string client in Clients(20))
        {
            int own = Own(table, client);
            for (int i = 0; i < 5; i++)
            {
                _ = Own(table, $"192.0.2.{i + 1}");
                group.Current = i;
                Assert.Equal(own, Own(table, client));
            }
        }
    }

    [Fact]
    public void The_position_becomes_the_channel_after_the_one_picked()
    {
        ChannelGroup group = Consistent(0, 4);
        var table = new RoutingTable([group]);
        int own = Own(table, "198.51.100.3");
        Assert.Equal((own + 1) % 4, group.Current);
    }

    [Fact]
    public void Reaching_the_hash_group_by_failover_or_past_a_full_group_keeps_the_channel()
    {
        ChannelGroup direct = Consistent(1, 5);
        var alone = new RoutingTable([new ChannelGroup(), direct]);
        var full = Group(0, GroupType.RoundRobin, 1);
        var table = new RoutingTable([full, Consistent(1, 5)]);
        table.Next(AnyClient()); // group 0 full from now on
        foreach (string client in Clients(30))
        {
            int expected = Own(alone, client);
            ChannelLease lease = table.Next(Client(client))!.Value;
            lease.Channel.EndConnection();
            Assert.Equal((1, expected), (lease.Group, lease.Index));

            var refused = new RoutingTable([Rr(0, 2), Consistent(1, 5)]);
            RouteCursor cursor = Client(client);
            refused.Failed(cursor, refused.Next(cursor)!.Value);
            refused.Failed(cursor, refused.Next(cursor)!.Value);
            ChannelLease viaFailover = refused.Next(cursor)!.Value;
            Assert.Equal((1, expected), (viaFailover.Group, viaFailover.Index));
        }
    }

    [Fact]
    public void Without_H_a_disabled_or_full_own_channel_sends_its_clients_to_the_next_group_only()
    {
        ChannelGroup group = Consistent(0, 0, 0, 0, 0);
        var table = new RoutingTable([group, Rr(1, 1)]);
        string[] clients = Clients(200).ToArray();
        int[] own = clients.Select(c => Own(table, c)).ToArray();
        group.Channels[2].Enabled = false;
        for (int i = 0; i < clients.Length; i++)
        {
            ChannelLease lease = table.Next(Client(clients[i]))!.Value;
            lease.Channel.EndConnection();
            Assert.Equal(own[i] == 2 ? (1, 0) : (0, own[i]), (lease.Group, lease.Index));
        }
    }

    [Fact]
    public void With_H_a_disabled_channels_clients_spread_over_the_group_and_the_others_stay()
    {
        ChannelGroup group = Consistent(0, 5);
        var table = new RoutingTable([group, Rr(1, 1)], hashFailover: true);
        string[] clients = Clients(1000).ToArray();
        int[] own = clients.Select(c => Own(table, c)).ToArray();
        group.Channels[3].Enabled = false;
        var landed = new HashSet<int>();
        for (int i = 0; i < clients.Length; i++)
        {
            int now = Own(table, clients[i]);
            if (own[i] == 3)
            {
                landed.Add(now);
            }
            else
            {
                Assert.Equal(own[i], now);
            }
        }

        Assert.Equal([0, 1, 2, 4], landed.Order());
    }

    [Fact]
    public void A_failed_hash_channel_without_H_goes_to_the_next_group_and_with_H_tries_the_rest()
    {
        var without = new RoutingTable([Consistent(0, 3), Rr(1, 1)]);
        RouteCursor cursor = Client("198.51.100.33");
        without.Failed(cursor, without.Next(cursor)!.Value);
        Assert.Equal(1, without.Next(cursor)!.Value.Group);

        var with = new RoutingTable([Consistent(0, 3), Rr(1, 1)], hashFailover: true);
        cursor = Client("198.51.100.33");
        var tried = new List<int>();
        ChannelLease lease;
        while ((lease = with.Next(cursor)!.Value).Group == 0)
        {
            tried.Add(lease.Index);
            with.Failed(cursor, lease);
        }

        Assert.Equal([0, 1, 2], tried.Order());
    }

    [Fact]
    public void Autodisable_in_a_consistent_hash_group_keeps_the_client_away_from_its_channel()
    {
        ChannelGroup group = Consistent(0, 3);
        var table = new RoutingTable([group, Rr(1, 1)], autoDisable: true);
        RouteCursor cursor = Client("198.51.100.44");
        ChannelLease lease = table.Next(cursor)!.Value;
        Assert.True(table.Failed(cursor, lease));
        Assert.Equal(1, table.Next(cursor)!.Value.Group);
        Assert.Equal(1, table.Next(Client("198.51.100.44"))!.Value.Group);
    }

    [Fact]
    public void Two_tables_with_the_channels_in_reverse_order_send_every_client_to_the_same_address()
    {
        var forward = new ChannelGroup { Type = GroupType.Hash };
        var backward = new ChannelGroup { Type = GroupType.Hash };
        for (int c = 0; c < 6; c++)
        {
            forward.Channels.Add(new Channel(new IPEndPoint(IPAddress.Parse($"192.0.2.{c + 1}"), 80), 0));
            backward.Channels.Insert(0, new Channel(new IPEndPoint(IPAddress.Parse($"192.0.2.{c + 1}"), 80), 0));
        }

        var a = new RoutingTable([forward]);
        var b = new RoutingTable([backward]);
        foreach (string client in Clients(1000).Append("2001:db8::5").Append("::ffff:198.51.100.9"))
        {
            Assert.Equal(forward.Channels[Own(a, client)].EndPoint, backward.Channels[Own(b, client)].EndPoint);
        }
    }

    [Fact]
    public void Create_moves_no_client_and_the_first_enable_moves_only_the_new_channels_share()
    {
        var table = new RoutingTable([Consistent(0, 9)]);
        string[] clients = Clients(3000).ToArray();
        int[] before = clients.Select(c => Own(table, c)).ToArray();

        Assert.Equal(ControlResult.Done, table.Create(0, new IPEndPoint(IPAddress.Loopback, PortOf(0, 9))));
        Assert.Equal(before, clients.Select(c => Own(table, c)).ToArray());

        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 9, true));
        int[] after = clients.Select(c => Own(table, c)).ToArray();
        int moved = before.Zip(after).Count(p => p.First != p.Second);
        Assert.True(moved <= clients.Length * ((1.0 / 10) + 0.01 + 0.02), $"{moved} of {clients.Length} clients moved"); // 1/(N+1) + 1%, sampling room
        Assert.Contains(9, after);

        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 9, false));
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 9, true));
        Assert.Equal(after, clients.Select(c => Own(table, c)).ToArray()); // joined once: off and on again changes nothing
    }

    [Fact]
    public void The_modulo_mapping_is_what_hash_means_when_the_table_is_told_so()
    {
        var table = new RoutingTable([Consistent(0, 3)], hashType: GroupType.ModuloHash);
        Assert.Equal(GroupType.ModuloHash, table.Snapshot()[0].Type);
        Assert.Equal(ControlResult.Done, table.SetType(0, GroupType.Hash));
        Assert.Equal(GroupType.ModuloHash, table.Snapshot()[0].Type);
        foreach (string client in Clients(30))
        {
            Assert.Equal((int)(ClientHash.Of(IPAddress.Parse(client)) % 3), Own(table, client));
        }
    }
}
