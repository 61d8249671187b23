using System.Net;
using Balance.CommandLine;
using Balance.Discovery;
using Balance.Routing;

namespace Balance.Tests.Discovery;

public sealed class SrvChannelSyncTests
{
    private static IPEndPoint At(int port) => new(IPAddress.Loopback, port);

    private static RoutingTable Table(params int[] commandLinePorts)
    {
        var group = new ChannelGroup();
        foreach (int port in commandLinePorts)
        {
            group.Channels.Add(new Channel(At(port), 0));
        }

        return new RoutingTable([group]);
    }

    [Fact]
    public void PrioritiesBecomeConsecutiveGroupsFromTheArgumentsGroupAndWeightsAreClamped()
    {
        var plan = SrvChannelSync.Plan(
            [new(30, 0, At(1)), new(10, 5, At(2)), new(10, 5000, At(3)), new(20, 7, At(4))], firstGroup: 2);

        Assert.Equal(1, plan[(4, At(1))]);   // weight 0: the smallest weight
        Assert.Equal(5, plan[(2, At(2))]);
        Assert.Equal(1000, plan[(2, At(3))]);
        Assert.Equal(7, plan[(3, At(4))]);
    }

    [Fact]
    public void PrioritiesBeyondTheLastGroupAreLeftOut()
    {
        var plan = SrvChannelSync.Plan([new(1, 1, At(1)), new(2, 1, At(2))], firstGroup: Limits.MaxGroups - 1);
        Assert.Equal([(Limits.MaxGroups - 1, At(1))], plan.Keys);
    }

    [Fact]
    public void TargetsThatAppearAreCreatedEnabledAndVanishedOnesDisabledKeepingTheirNumbers()
    {
        RoutingTable table = Table(9000);
        var sync = new SrvChannelSync(table, new SrvSpec("_x._tcp.test", 4, 0), GroupType.RoundRobin);

        Assert.Equal((2, 0), sync.Apply([new(0, 1, At(1)), new(0, 2, At(2))]));
        Assert.Equal([true, true, true], table.Snapshot().Select(r => r.Enabled));
        Assert.Equal(4, table.Status(0, 1)!.Value.MaxConnections);
        Assert.Equal(2, table.Status(0, 2)!.Value.Weight);

        Assert.Equal((1, 1), sync.Apply([new(0, 1, At(2)), new(0, 1, At(3))]));
        Assert.Equal([9000, 1, 2, 3], table.Snapshot().Select(r => r.EndPoint.Port));
        Assert.Equal([true, false, true, true], table.Snapshot().Select(r => r.Enabled));
        Assert.Equal(1, table.Status(0, 2)!.Value.Weight);

        // Back again: the same channel, enabled; nothing new made.
        Assert.Equal((1, 0), sync.Apply([new(0, 1, At(1)), new(0, 1, At(2)), new(0, 1, At(3))]));
        Assert.Equal(4, table.Snapshot().Count);
        Assert.True(table.Status(0, 1)!.Value.Enabled);
    }

    [Fact]
    public void AnOperatorsDisableOfAnSrvChannelStaysWhileTheRecordIsUnchanged()
    {
        RoutingTable table = Table();
        var sync = new SrvChannelSync(table, new SrvSpec("_x._tcp.test", 0, 0), GroupType.RoundRobin);
        sync.Apply([new(0, 1, At(1))]);
        table.SetEnabled(0, 0, enabled: false);

        sync.Apply([new(0, 1, At(1))]);
        Assert.False(table.Status(0, 0)!.Value.Enabled);
    }

    [Fact]
    public void AFailoverGroupTheCommandLineDidNotNameTakesTheArgumentsGroupType()
    {
        RoutingTable table = Table();
        var sync = new SrvChannelSync(table, new SrvSpec("_x._tcp.test", 0, 0), GroupType.LeastConnections);
        sync.Apply([new(0, 1, At(1)), new(1, 1, At(2))]);
        Assert.Equal(GroupType.LeastConnections, table.Snapshot().Single(r => r.Group == 1).Type);
    }
}
