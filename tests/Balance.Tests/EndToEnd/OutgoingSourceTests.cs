using System.Net;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>-B: where connections to channels start from, the same on both engines.</summary>
public sealed class OutgoingSourceTests
{
    /// <summary>
    /// 192.0.2.1 (TEST-NET-1) is an address this machine does not have: the
    /// bind fails before anything is sent, the connect goes ahead from the
    /// default address, as the original did, and -d says so once.
    /// </summary>
    [Theory]
    [AllEngines]
    public async Task AnAddressTheMachineDoesNotHaveIsIgnoredAndToldOnce(string engine)
    {
        using var backend = new TestBackend("web");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-d", "-a", "-B", "192.0.2.1", port.ToString(), $"127.0.0.1:{backend.Port}");

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("web", await TestClient.WhoAnswersAsync(port));
        }

        ShowRow channel = await Shell.ChannelAsync(port, 0, 0);
        Assert.True(channel.Enabled, "the channel was autodisabled as if it had refused");
        Assert.Equal(3, channel.TotalConnections);
        await Poll.UntilAsync(() => balance.Stderr.Contains("192.0.2.1"), TimeSpan.FromSeconds(10), "the failed bind in the trace");
        Assert.Single(balance.Stderr.Split('\n'), line => line.Contains("bind to -B address 192.0.2.1 failed"));
    }

    /// <summary>An IPv4 -B address cannot be the source of a connection to a native IPv6 channel: that one starts unbound.</summary>
    [Theory]
    [AllEngines]
    public async Task AnIPv4SourceLeavesIPv6ChannelsUnbound(string engine)
    {
        using var v6 = new TestBackend("six", address: IPAddress.IPv6Loopback);
        using var v4 = new TestBackend("four");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-B", "127.0.0.2", port.ToString(), $"[::1]:{v6.Port}", $"127.0.0.1:{v4.Port}");

        Assert.Equal("six", await TestClient.WhoAnswersAsync(port));
        Assert.Equal("four", await TestClient.WhoAnswersAsync(port));
        Assert.True(v4.ClientAddresses.TryPeek(out IPAddress? source));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), source);
    }
}
