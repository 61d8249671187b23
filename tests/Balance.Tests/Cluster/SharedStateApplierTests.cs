using System.Net;
using Balance.Cluster;
using Balance.Control;
using Balance.Routing;

namespace Balance.Tests.Cluster;

public sealed class SharedStateApplierTests
{
    private static IPEndPoint At(int port) => new(IPAddress.Loopback, port);

    private static RoutingTable Table(params int[] ports)
    {
        var group = new ChannelGroup();
        foreach (int port in ports)
        {
            group.Channels.Add(new Channel(At(port), 0));
        }

        return new RoutingTable([group]);
    }

    [Fact]
    public void ChangesFindTheChannelByAddressWhateverItsNumber()
    {
        RoutingTable table = Table(3, 2, 1);
        var applier = new SharedStateApplier(table);
        applier.Apply(new OperatorChange(0, At(1), SharedAttribute.Enabled, "0"));
        applier.Apply(new OperatorChange(0, At(2), SharedAttribute.Maxc, "9"));
        applier.Apply(new OperatorChange(0, At(3), SharedAttribute.Weight, "4"));

        Assert.False(table.Status(0, 2)!.Value.Enabled);
        Assert.Equal(9, table.Status(0, 1)!.Value.MaxConnections);
        Assert.Equal(4, table.Status(0, 0)!.Value.Weight);
    }

    [Fact]
    public void AChangeForAChannelThisInstanceLacksCreatesIt()
    {
        RoutingTable table = Table(1);
        var applier = new SharedStateApplier(table);
        applier.Apply(new OperatorChange(0, At(7), SharedAttribute.Enabled, "0"));
        Assert.Equal(At(7), table.Status(0, 1)!.Value.EndPoint);
        Assert.False(table.Status(0, 1)!.Value.Enabled);

        applier.Apply(new OperatorChange(0, At(7), SharedAttribute.Enabled, "1"));
        Assert.True(table.Status(0, 1)!.Value.Enabled);
    }

    [Fact]
    public void AnAssignMovesTheDisabledChannelAndCreatesOtherwise()
    {
        RoutingTable table = Table(1, 2);
        var applier = new SharedStateApplier(table);
        table.SetEnabled(0, 0, enabled: false);
        applier.Apply(new OperatorChange(0, At(5), SharedAttribute.From, At(1).ToString()));
        Assert.Equal(At(5), table.Status(0, 0)!.Value.EndPoint);

        // The old channel is still enabled here: it stays, the new address comes as a new channel.
        applier.Apply(new OperatorChange(0, At(6), SharedAttribute.From, At(2).ToString()));
        Assert.Equal(At(2), table.Status(0, 1)!.Value.EndPoint);
        Assert.Equal(At(6), table.Status(0, 2)!.Value.EndPoint);

        // Applied again (an echo, a restart reading the state): nothing more happens.
        applier.Apply(new OperatorChange(0, At(5), SharedAttribute.From, At(1).ToString()));
        Assert.Equal(3, table.Snapshot().Count);
    }
}
