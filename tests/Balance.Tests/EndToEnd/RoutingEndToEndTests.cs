using System.Diagnostics;
using System.Net;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>Channel choice and failover through the real binary.</summary>
public sealed class RoutingEndToEndTests
{
    /// <summary>A channel where nothing listens: connects to it are refused.</summary>
    private static string Dead() => $"127.0.0.1:{FreePort.Next()}";

    [Theory]
    [AllEngines]
    public async Task RoundRobinServesChannelsInTurnStartingAtChannelZero(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, "A", "B", "C");

        var answers = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            answers.Add(await TestClient.WhoAnswersAsync(proxy.Port));
        }

        Assert.Equal(new[] { "A", "B", "C", "A", "B", "C" }, answers);
    }

    [Theory]
    [AllEngines]
    public async Task RefusedChannelFailsOverToTheNextChannelOfTheGroup(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["live"], Channels = [Dead(), "{live}"] });

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("live", await TestClient.WhoAnswersAsync(proxy.Port));
        }
    }

    [Theory]
    [AllEngines]
    public async Task WhenAGroupFailsTheNextGroupServes(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["backup"], Channels = [Dead(), Dead(), "!", "{backup}"] });

        Assert.Equal("backup", await TestClient.WhoAnswersAsync(proxy.Port));
    }

    [Theory]
    [AllEngines]
    public async Task AllChannelsDownClosesTheClient(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Channels = [Dead()] });

        using var client = await TestClient.ConnectAsync(proxy.Port);
        Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [AllEngines]
    public async Task ConnectTimeoutFailsOverAfterTSeconds(string engine)
    {
        using var hanging = await FullAcceptQueue.CreateAsync();
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["live"],
            Options = ["-t", "1"],
            Channels = [$"127.0.0.1:{hanging.Port}", "{live}"],
        });

        var clock = Stopwatch.StartNew();
        Assert.Equal("live", await TestClient.WhoAnswersAsync(proxy.Port));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(8));
    }

    [Theory]
    [AllEngines]
    public async Task MaxcSendsTheOverflowToTheNextGroup(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["first", "overflow"], Channels = ["{first}:2", "!", "{overflow}"] });
        int port = proxy.Port;

        using var held1 = await TestClient.ConnectAsync(port);
        using var held2 = await TestClient.ConnectAsync(port);
        Assert.Equal("first", await TestClient.ReadLineAsync(held1));
        Assert.Equal("first", await TestClient.ReadLineAsync(held2));
        Assert.Equal("overflow", await TestClient.WhoAnswersAsync(port));

        held1.Dispose();
        await Poll.UntilAsync(
            async () => await TestClient.WhoAnswersAsync(port) == "first",
            TimeSpan.FromSeconds(10),
            "the freed slot of the first channel to be used again");
    }

    [Theory]
    [AllEngines]
    public async Task HashGroupKeepsEachClientAddressOnOneChannelAndSpreadsAddresses(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["A", "B", "C"], Channels = ["{A}", "{B}", "{C}", "%"] });

        var seen = new HashSet<string>();
        for (int host = 1; host <= 12; host++)
        {
            var from = IPAddress.Parse($"127.0.0.{host}");
            string first = await TestClient.WhoAnswersAsync(proxy.Port, from);
            Assert.NotEqual(string.Empty, first);
            for (int again = 0; again < 3; again++)
            {
                Assert.Equal(first, await TestClient.WhoAnswersAsync(proxy.Port, from));
            }

            seen.Add(first);
        }

        Assert.True(seen.Count >= 2, $"12 client addresses all went to {string.Join(",", seen)}");
    }

    [Theory]
    [AllEngines]
    public async Task HashGroupReachedByFailoverStillHashesTheClient(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["A", "B"], Channels = [Dead(), "!", "{A}", "{B}", "%"] });

        var seen = new HashSet<string>();
        for (int host = 1; host <= 10; host++)
        {
            var from = IPAddress.Parse($"127.0.0.{host}");
            string first = await TestClient.WhoAnswersAsync(proxy.Port, from);
            Assert.Equal(first, await TestClient.WhoAnswersAsync(proxy.Port, from));
            seen.Add(first);
        }

        Assert.Equal(2, seen.Count);
    }

    [Theory]
    [AllEngines]
    public async Task TheManualsSelfReferencingExampleServesAClient(string engine)
    {
        using var target = new TestBackend("target");
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Channels = ["localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!", $"localhost:{target.Port}"],
        });

        Assert.Equal("target", await TestClient.WhoAnswersAsync(proxy.Port));
        Assert.Equal(1, target.Accepted);
    }
}
