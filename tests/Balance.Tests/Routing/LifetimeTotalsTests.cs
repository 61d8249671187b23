using System.Net;
using Balance.Routing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing;

/// <summary>reset clears what show prints; the lifetime totals the metrics report never go back.</summary>
public sealed class LifetimeTotalsTests
{
    [Fact]
    public void Reset_zeroes_show_counters_but_lifetime_totals_keep_counting()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        Channel channel = Lease(table).Channel;
        channel.AddSent(100);
        channel.AddReceived(1000);

        Assert.Equal(ControlResult.Done, table.ResetCounters(0, 0));
        ChannelStatus afterReset = table.Status(0, 0)!.Value;
        Assert.Equal((0, 0, 0), (afterReset.TotalConnections, afterReset.BytesSent, afterReset.BytesReceived));
        Assert.Equal(new LifetimeTotals(1, 100, 1000), afterReset.Lifetime);

        Lease(table).Channel.AddSent(5);
        channel.AddReceived(7);
        ChannelStatus later = table.Snapshot().Single();
        Assert.Equal((1, 5, 7), (later.TotalConnections, later.BytesSent, later.BytesReceived));
        Assert.Equal(new LifetimeTotals(2, 105, 1007), later.Lifetime);
    }

    [Fact]
    public async Task Lifetime_totals_never_go_back_while_bytes_flow_during_resets()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        Channel channel = Lease(table).Channel;
        const int adds = 200_000;
        var adding = Task.Run(() =>
        {
            for (int i = 0; i < adds; i++)
            {
                channel.AddSent(1);
            }
        });

        long last = 0;
        while (!adding.IsCompleted)
        {
            _ = table.ResetCounters(0, 0);
            long now = table.Snapshot()[0].Lifetime.BytesSent;
            Assert.True(now >= last, $"lifetime went back from {last} to {now}");
            last = now;
        }

        await adding;
        Assert.Equal(adds, table.Snapshot()[0].Lifetime.BytesSent);
    }

    [Fact]
    public void A_created_channel_starts_at_zero()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        Assert.Equal(ControlResult.Done, table.Create(0, new IPEndPoint(IPAddress.Loopback, 9)));
        Assert.Equal(default, table.Status(0, 1)!.Value.Lifetime);
    }

    private static ChannelLease Lease(RoutingTable table) => table.Next(AnyClient()) ?? throw new InvalidOperationException("no channel");
}
