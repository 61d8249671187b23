using System.Net;
using Balance.Routing;

namespace Balance.Tests.Routing;

public sealed class ChannelTests
{
    private static readonly IPEndPoint Somewhere = new(IPAddress.Loopback, 8080);

    [Fact]
    public void A_new_channel_is_enabled_with_zero_counters()
    {
        var channel = new Channel(Somewhere, 4);
        Assert.Equal(Somewhere, channel.EndPoint);
        Assert.Equal(4, channel.MaxConnections);
        Assert.True(channel.Enabled);
        Assert.Equal(0, channel.Connections);
        Assert.Equal(0, channel.TotalConnections);
        Assert.Equal(0, channel.BytesSent);
        Assert.Equal(0, channel.BytesReceived);
        Assert.False(channel.IsFull);
        Assert.True(channel.IsUsable);
        Assert.False(new Channel(Somewhere, 0, enabled: false).Enabled);
    }

    [Fact]
    public void Attempts_count_c_and_totalc_endings_only_c()
    {
        var channel = new Channel(Somewhere, 0);
        channel.BeginAttempt();
        channel.BeginAttempt();
        Assert.Equal(2, channel.Connections);
        Assert.Equal(2, channel.TotalConnections);
        channel.EndConnection();
        Assert.Equal(1, channel.Connections);
        Assert.Equal(2, channel.TotalConnections);
    }

    [Fact]
    public void Full_at_maxc()
    {
        var channel = new Channel(Somewhere, 2);
        channel.BeginAttempt();
        Assert.False(channel.IsFull);
        channel.BeginAttempt();
        Assert.True(channel.IsFull);
        Assert.False(channel.IsUsable);
        channel.EndConnection();
        Assert.False(channel.IsFull);
        Assert.True(channel.IsUsable);
    }

    [Fact]
    public void Maxc_0_is_never_full()
    {
        var channel = new Channel(Somewhere, 0);
        for (int i = 0; i < 10_000; i++)
        {
            channel.BeginAttempt();
        }

        Assert.False(channel.IsFull);
        Assert.True(channel.IsUsable);
    }

    [Fact]
    public void Lowering_maxc_below_c_makes_it_full()
    {
        var channel = new Channel(Somewhere, 0);
        channel.BeginAttempt();
        channel.BeginAttempt();
        channel.MaxConnections = 1;
        Assert.True(channel.IsFull);
        channel.MaxConnections = 0;
        Assert.False(channel.IsFull);
    }

    [Fact]
    public void Disabled_is_not_usable()
    {
        var channel = new Channel(Somewhere, 0) { Enabled = false };
        Assert.False(channel.IsUsable);
        Assert.False(channel.IsFull);
    }

    [Fact]
    public void Bytes_add_up_in_each_direction()
    {
        var channel = new Channel(Somewhere, 0);
        channel.AddSent(10);
        channel.AddSent(5);
        channel.AddReceived(3_000_000_000);
        channel.AddReceived(3_000_000_000);
        Assert.Equal(15, channel.BytesSent);
        Assert.Equal(6_000_000_000, channel.BytesReceived);
    }

    [Fact]
    public void Reset_zeroes_totalc_and_bytes_but_not_c()
    {
        var channel = new Channel(Somewhere, 0);
        channel.BeginAttempt();
        channel.BeginAttempt();
        channel.AddSent(1);
        channel.AddReceived(2);
        channel.ResetCounters();
        Assert.Equal(2, channel.Connections);
        Assert.Equal(0, channel.TotalConnections);
        Assert.Equal(0, channel.BytesSent);
        Assert.Equal(0, channel.BytesReceived);
    }

    [Fact]
    public void The_end_point_can_be_replaced()
    {
        var channel = new Channel(Somewhere, 0);
        var other = new IPEndPoint(IPAddress.IPv6Loopback, 9);
        channel.EndPoint = other;
        Assert.Equal(other, channel.EndPoint);
    }

    [Fact]
    public void Counters_are_exact_under_concurrency()
    {
        var channel = new Channel(Somewhere, 0);
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                channel.BeginAttempt();
                channel.AddSent(2);
                channel.AddReceived(3);
                channel.EndConnection();
            }
        });
        Assert.Equal(0, channel.Connections);
        Assert.Equal(80_000, channel.TotalConnections);
        Assert.Equal(160_000, channel.BytesSent);
        Assert.Equal(240_000, channel.BytesReceived);
    }
}
