using System.Net;
using Balance.Routing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing;

/// <summary>The control operations the routing policies added (weight, leastconn) and what tells the queue at maxc that slots came free.</summary>
public sealed class RoutingTableChangesTests
{
    /// <summary>Records what the table tells a queue.</summary>
    private sealed class RecordingQueue : IClientQueue
    {
        public bool HasWaiting { get; set; } = true;

        public List<int> Served { get; } = new();

        public QueueStatus Status => new(1, 5, 2, 3, 4);

        public void Serve(int slots, Channel? released = null)
        {
            released?.EndConnection();
            Served.Add(slots);
        }
    }

    private static int[] Picks(RoutingTable table, int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            ChannelLease lease = table.Next(AnyClient())!.Value;
            lease.Channel.EndConnection();
            return lease.Index;
        }).ToArray();

    [Fact]
    public void SetWeight_changes_the_round_robin_shares_at_once()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        Assert.Equal([0, 1, 0, 1], Picks(table, 4));
        Assert.Equal(ControlResult.Done, table.SetWeight(0, 1, 3));
        int[] cycle = Picks(table, 4);
        Assert.Equal(3, cycle.Count(c => c == 1));
        Assert.Equal(3, table.Status(0, 1)!.Value.Weight);
        Assert.Equal(1, table.Snapshot()[0].Weight);

        Assert.Equal(ControlResult.Done, table.SetWeight(0, 1, 1));
        Assert.Equal(ControlResult.Done, table.SetWeight(0, 0, 1));
        table.Next(AnyClient())!.Value.Channel.EndConnection();
    }

    [Fact]
    public void SetWeight_refuses_missing_channels_and_weights_out_of_range()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        Assert.Equal(ControlResult.NoSuchChannel, table.SetWeight(0, 2, 5));
        Assert.Equal(ControlResult.NoSuchChannel, table.SetWeight(1, 0, 5));
        Assert.Equal(ControlResult.NoSuchGroup, table.SetWeight(-1, 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.SetWeight(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.SetWeight(0, 0, 1001));
    }

    [Fact]
    public void SetWeight_reshapes_a_hash_groups_shares()
    {
        var group = new ChannelGroup { Type = GroupType.Hash };
        group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, 1001), 0));
        group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, 1002), 0));
        var table = new RoutingTable([group]);
        Assert.Equal(ControlResult.Done, table.SetWeight(0, 0, 9));
        int first = 0;
        for (int i = 1; i <= 1000; i++)
        {
            ChannelLease lease = table.Next(Client($"10.7.{i / 250}.{(i % 250) + 1}"))!.Value;
            lease.Channel.EndConnection();
            first += lease.Index == 0 ? 1 : 0;
        }

        Assert.InRange(first, 850, 950);
    }

    [Fact]
    public void SetType_least_connections_and_back()
    {
        ChannelGroup group = Rr(0, 3);
        var table = new RoutingTable([group]);
        Assert.Equal(ControlResult.Done, table.SetType(0, GroupType.LeastConnections));
        Assert.Equal(GroupType.LeastConnections, group.Type);
        Assert.Equal("LC", table.Snapshot()[0].Type.ShowName);
        Assert.Equal([0, 1, 2, 0], Enumerable.Range(0, 4).Select(_ => table.Next(AnyClient())!.Value.Index).ToArray());
        group.Channels[0].EndConnection();
        group.Channels[0].EndConnection();
        Assert.Equal(0, table.Next(AnyClient())!.Value.Index);

        Assert.Equal(ControlResult.Done, table.SetType(0, GroupType.RoundRobin));
        Assert.IsType<Balance.Routing.Policies.RoundRobinPolicy>(group.Policy);
    }

    [Fact]
    public void A_weighted_round_robin_group_created_on_the_command_line_is_built_by_the_table()
    {
        ChannelGroup group = Rr(0, 2);
        group.Channels[0].Weight = 2;
        var table = new RoutingTable([group]);
        Assert.Equal([0, 1, 0], Picks(table, 3));
    }

    [Fact]
    public void A_released_slot_is_handed_to_the_queue_with_its_release_one_at_a_time()
    {
        ChannelGroup group = Group(0, GroupType.RoundRobin, 1);
        var table = new RoutingTable([group]);
        var queue = new RecordingQueue();
        table.AttachQueue(queue);
        RouteCursor cursor = AnyClient();
        table.Next(cursor);
        Assert.Empty(queue.Served);
        cursor.Release();
        Assert.Equal([1], queue.Served);
        Assert.Equal(0, group.Channels[0].Connections);
        cursor.Release(); // nothing held any more
        Assert.Equal([1], queue.Served);

        queue.HasWaiting = false;
        table.Next(cursor);
        cursor.Release();
        Assert.Equal([1], queue.Served); // nobody waits: nothing to serve
        Assert.Equal(0, group.Channels[0].Connections);
    }

    [Fact]
    public void A_failed_connect_gives_its_slot_to_the_queue_only_after_autodisable_took_the_channel_out()
    {
        ChannelGroup group = Group(0, GroupType.RoundRobin, 1);
        var table = new RoutingTable([group], autoDisable: true);
        bool enabledWhenServed = true;
        var queue = new RecordingQueue();
        table.AttachQueue(new ServeSpy(queue, () => enabledWhenServed = group.Channels[0].Enabled));
        RouteCursor cursor = AnyClient();
        table.Failed(cursor, table.Next(cursor)!.Value);
        Assert.Equal([1], queue.Served);
        Assert.False(enabledWhenServed);
    }

    [Fact]
    public void Enable_maxc_and_type_changes_offer_every_slot_disable_and_weight_none()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        var queue = new RecordingQueue();
        table.AttachQueue(queue);
        table.SetEnabled(0, 0, false);
        table.SetWeight(0, 0, 4);
        Assert.Empty(queue.Served);
        table.SetEnabled(0, 0, true);
        table.SetMaxConnections(0, 1, 7);
        table.SetType(0, GroupType.LeastConnections);
        Assert.Equal([int.MaxValue, int.MaxValue, int.MaxValue], queue.Served);

        queue.HasWaiting = false;
        table.SetEnabled(0, 1, true);
        Assert.Equal(3, queue.Served.Count);
        Assert.Equal(new QueueStatus(1, 5, 2, 3, 4), table.QueueStatus);
        Assert.Null(new RoutingTable([Rr(0, 1)]).QueueStatus);
    }

    /// <summary>A queue that notes the channel state when it is served.</summary>
    private sealed class ServeSpy(RecordingQueue inner, Action onServe) : IClientQueue
    {
        public bool HasWaiting => inner.HasWaiting;

        public QueueStatus Status => inner.Status;

        public void Serve(int slots, Channel? released = null)
        {
            onServe();
            inner.Serve(slots, released);
        }
    }
}
