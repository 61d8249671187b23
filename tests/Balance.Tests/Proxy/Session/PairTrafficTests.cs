using System.Net;
using Balance.Proxy.Session;
using Balance.Routing;

namespace Balance.Tests.Proxy.Session;

public sealed class PairTrafficTests
{
    private static readonly RelayTimeouts FinOnly = new(IdleMs: 0, HalfClosedMs: 1000);

    [Fact]
    public void Delivered_bytes_go_to_the_channels_counters_by_direction()
    {
        var channel = new Channel(new IPEndPoint(IPAddress.Loopback, 80), 0);
        var traffic = new PairTraffic();
        traffic.Begin(channel, now: 0);
        traffic.Moved(clientToChannel: true, 10, now: 1);
        traffic.Moved(clientToChannel: false, 300, now: 2);
        traffic.Moved(clientToChannel: false, 0, now: 50);
        Assert.Equal((10, 300), (channel.BytesSent, channel.BytesReceived));
        Assert.Equal(2, traffic.LastActivity);
    }

    [Fact]
    public void A_half_closed_pair_expires_after_its_silence_and_activity_restarts_the_wait()
    {
        var traffic = new PairTraffic();
        traffic.Begin(new Channel(new IPEndPoint(IPAddress.Loopback, 80), 0), now: 0);
        Assert.False(traffic.Expired(5000, FinOnly));
        traffic.HalfClose(clientToChannel: true);
        Assert.True(traffic.Expired(5000, FinOnly));
        traffic.Moved(clientToChannel: false, 1, now: 4500);
        Assert.False(traffic.Expired(5000, FinOnly));
        Assert.True(traffic.Expired(5500, FinOnly));
    }

    [Fact]
    public void A_reused_pair_starts_open_and_active()
    {
        var traffic = new PairTraffic();
        var channel = new Channel(new IPEndPoint(IPAddress.Loopback, 80), 0);
        traffic.Begin(channel, now: 0);
        traffic.HalfClose(clientToChannel: true);
        traffic.Begin(channel, now: 10_000);
        Assert.False(traffic.HalfClosed);
        Assert.False(traffic.Expired(10_500, FinOnly));
    }
}
