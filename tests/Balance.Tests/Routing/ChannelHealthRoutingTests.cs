using System.Net;
using Balance.Routing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing;

/// <summary>
/// A channel health checks found DOWN is skipped exactly like a disabled one
/// (failover within the group, then the next group, the -H rules of hash
/// groups), takes clients again once UP; and the table's side of health checks.
/// </summary>
public sealed class ChannelHealthRoutingTests
{
    private static void SetHealth(ChannelGroup group, int channel, ChannelHealth health) =>
        group.Channels[channel].State.Health = health;

    private static (int Group, int Channel) PickAndEnd(RoutingTable table, RouteCursor cursor)
    {
        ChannelLease lease = table.Next(cursor) ?? throw new InvalidOperationException("no channel");
        lease.Channel.EndConnection();
        return (lease.Group, lease.Index);
    }

    /// <summary>The same walk with channel <paramref name="channel"/> of group 0 DOWN and with it disabled.</summary>
    private static void SameAsDisabled(Func<ChannelGroup[]> groups, int channel, bool hashFailover, Func<RouteCursor> client, int picks)
    {
        ChannelGroup[] down = groups();
        SetHealth(down[0], channel, ChannelHealth.Down);
        ChannelGroup[] disabled = groups();
        disabled[0].Channels[channel].Enabled = false;
        var downTable = new RoutingTable(down, hashFailover);
        var disabledTable = new RoutingTable(disabled, hashFailover);

        var expected = Enumerable.Range(0, picks).Select(_ => PickAndEnd(disabledTable, client())).ToArray();
        var actual = Enumerable.Range(0, picks).Select(_ => PickAndEnd(downTable, client())).ToArray();
        Assert.Equal(expected, actual);
        Assert.DoesNotContain((0, channel), actual);
    }

    [Fact]
    public void Round_robin_skips_a_down_channel_as_a_disabled_one() =>
        SameAsDisabled(() => [Rr(0, 3), Rr(1, 1)], channel: 1, hashFailover: false, AnyClient, picks: 6);

    [Fact]
    public void Hash_without_H_skips_the_group_when_the_hashed_channel_is_down() =>
        SameAsDisabled(() => [Hash(0, 3), Rr(1, 1)], channel: 1, hashFailover: false, () => Client(ClientFor(1, 3)), picks: 3);

    [Fact]
    public void Hash_with_H_takes_the_next_channel_when_the_hashed_one_is_down() =>
        SameAsDisabled(() => [Hash(0, 3), Rr(1, 1)], channel: 1, hashFailover: true, () => Client(ClientFor(1, 3)), picks: 3);

    [Fact]
    public void Failover_after_a_failed_connect_passes_a_down_channel_by()
    {
        ChannelGroup group = Rr(0, 3);
        SetHealth(group, 1, ChannelHealth.Down);
        var table = new RoutingTable([group, Rr(1, 1)]);
        RouteCursor cursor = AnyClient();

        ChannelLease first = table.Next(cursor)!.Value;
        Assert.Equal(0, first.Index);
        table.Failed(cursor, first, ConnectOutcome.Refused);
        Assert.Equal((0, 2), Where(table.Next(cursor)));
    }

    [Fact]
    public void A_group_with_every_channel_down_fails_over_to_the_next_group()
    {
        ChannelGroup group = Rr(0, 2);
        SetHealth(group, 0, ChannelHealth.Down);
        SetHealth(group, 1, ChannelHealth.Down);
        var table = new RoutingTable([group, Rr(1, 1)]);
        Assert.Equal((1, 0), PickAndEnd(table, AnyClient()));
    }

    [Fact]
    public void A_channel_back_up_takes_its_turn_again()
    {
        ChannelGroup group = Rr(0, 2);
        SetHealth(group, 1, ChannelHealth.Down);
        var table = new RoutingTable([group]);
        Assert.Equal([(0, 0), (0, 0)], new[] { PickAndEnd(table, AnyClient()), PickAndEnd(table, AnyClient()) });

        SetHealth(group, 1, ChannelHealth.Up);
        Assert.Equal([(0, 1), (0, 0), (0, 1)], new[] { PickAndEnd(table, AnyClient()), PickAndEnd(table, AnyClient()), PickAndEnd(table, AnyClient()) });
    }

    [Fact]
    public void Snapshots_carry_health_details_only_while_checks_run()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        Assert.Null(table.Snapshot()[0].Checks);
        Assert.Equal(ChannelHealth.Unknown, table.Snapshot()[0].Health);

        table.HealthChecked = true;
        Channel channel = table.Channels()[0].Channel;
        var details = new HealthDetails(0, 3, "connection refused", 1.5, DateTimeOffset.UnixEpoch);
        Assert.True(table.RecordHealth(channel, channel.EndPoint, ChannelHealth.Down, details, endAutoDisable: false, out bool autoEnabled));
        Assert.False(autoEnabled);
        Assert.Equal((ChannelHealth.Down, details), (table.Snapshot()[0].Health, table.Snapshot()[0].Checks));
    }

    [Fact]
    public void A_verdict_on_an_address_the_channel_no_longer_has_is_dropped()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        Channel channel = table.Channels()[0].Channel;
        IPEndPoint old = channel.EndPoint;
        table.SetEnabled(0, 0, enabled: false);
        int version = table.LayoutVersion;
        Assert.Equal(ControlResult.Done, table.Assign(0, 0, new IPEndPoint(IPAddress.Loopback, 9)));
        Assert.NotEqual(version, table.LayoutVersion);

        Assert.False(table.RecordHealth(channel, old, ChannelHealth.Down, default, endAutoDisable: false, out _));
        Assert.Equal(ChannelHealth.Unknown, channel.State.Health);
    }

    [Fact]
    public void Assign_starts_health_over_and_create_is_noticed()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        Channel channel = table.Channels()[0].Channel;
        table.RecordHealth(channel, channel.EndPoint, ChannelHealth.Down, new HealthDetails(0, 3, "x", 1, null), false, out _);
        table.SetEnabled(0, 0, enabled: false);
        table.Assign(0, 0, new IPEndPoint(IPAddress.Loopback, 9));
        Assert.Equal((ChannelHealth.Unknown, default(HealthDetails)), (channel.State.Health, channel.HealthDetails));

        int version = table.LayoutVersion;
        table.Create(0, new IPEndPoint(IPAddress.Loopback, 10));
        Assert.NotEqual(version, table.LayoutVersion);
        Assert.Equal(2, table.Channels().Count);
    }

    [Fact]
    public void A_verdict_ends_an_autodisable_but_never_the_operators_disable()
    {
        var table = new RoutingTable([Rr(0, 1)], autoDisable: true);
        Channel channel = table.Channels()[0].Channel;
        RouteCursor cursor = AnyClient();
        table.Failed(cursor, table.Next(cursor)!.Value, ConnectOutcome.Refused);
        Assert.True(channel.State.AutoDisabled);

        Assert.True(table.RecordHealth(channel, channel.EndPoint, ChannelHealth.Up, default, endAutoDisable: true, out bool autoEnabled));
        Assert.True(autoEnabled);
        Assert.True(channel.Enabled);

        table.SetEnabled(0, 0, enabled: false);
        table.RecordHealth(channel, channel.EndPoint, ChannelHealth.Up, default, endAutoDisable: true, out autoEnabled);
        Assert.False(autoEnabled);
        Assert.False(channel.Enabled);
    }
}
