using System.Diagnostics;
using System.Net;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>Channel choice and failover through the real binary.</summary>
public sealed class RoutingEndToEndTests
{
    private static string Channel(TestBackend backend, string suffix = "") => $"127.0.0.1:{backend.Port}{suffix}";

    [Theory]
    [AllEngines]
    public async Task RoundRobinServesChannelsInTurnStartingAtChannelZero(string engine)
    {
        using var a = new TestBackend("A");
        using var b = new TestBackend("B");
        using var c = new TestBackend("C");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", port.ToString(), Channel(a), Channel(b), Channel(c));

        var answers = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            answers.Add(await TestClient.WhoAnswersAsync(port));
        }

        Assert.Equal(new[] { "A", "B", "C", "A", "B", "C" }, answers);
    }

    [Theory]
    [AllEngines]
    public async Task RefusedChannelFailsOverToTheNextChannelOfTheGroup(string engine)
    {
        using var live = new TestBackend("live");
        int dead = FreePort.Next();
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{dead}", Channel(live));

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("live", await TestClient.WhoAnswersAsync(port));
        }
    }

    [Theory]
    [AllEngines]
    public async Task WhenAGroupFailsTheNextGroupServes(string engine)
    {
        using var backup = new TestBackend("backup");
        int dead1 = FreePort.Next();
        int dead2 = FreePort.Next();
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{dead1}", $"127.0.0.1:{dead2}", "!", Channel(backup));

        Assert.Equal("backup", await TestClient.WhoAnswersAsync(port));
    }

    [Theory]
    [AllEngines]
    public async Task AllChannelsDownClosesTheClient(string engine)
    {
        int dead = FreePort.Next();
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{dead}");

        using var client = await TestClient.ConnectAsync(port);
        Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [AllEngines]
    public async Task ConnectTimeoutFailsOverAfterTSeconds(string engine)
    {
        using var hanging = await FullAcceptQueue.CreateAsync();
        using var live = new TestBackend("live");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-t", "1", port.ToString(), $"127.0.0.1:{hanging.Port}", Channel(live));

        var clock = Stopwatch.StartNew();
        Assert.Equal("live", await TestClient.WhoAnswersAsync(port));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(8));
    }

    [Theory]
    [AllEngines]
    public async Task MaxcSendsTheOverflowToTheNextGroup(string engine)
    {
        using var first = new TestBackend("first");
        using var overflow = new TestBackend("overflow");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), Channel(first, ":2"), "!", Channel(overflow));

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
        using var a = new TestBackend("A");
        using var b = new TestBackend("B");
        using var c = new TestBackend("C");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), Channel(a), Channel(b), Channel(c), "%");

        var seen = new HashSet<string>();
        for (int host = 1; host <= 12; host++)
        {
            var from = IPAddress.Parse($"127.0.0.{host}");
            string first = await TestClient.WhoAnswersAsync(port, from);
            Assert.NotEqual(string.Empty, first);
            for (int again = 0; again < 3; again++)
            {
                Assert.Equal(first, await TestClient.WhoAnswersAsync(port, from));
            }

            seen.Add(first);
        }

        Assert.True(seen.Count >= 2, $"12 client addresses all went to {string.Join(",", seen)}");
    }

    [Theory]
    [AllEngines]
    public async Task HashGroupReachedByFailoverStillHashesTheClient(string engine)
    {
        using var a = new TestBackend("A");
        using var b = new TestBackend("B");
        int dead = FreePort.Next();
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{dead}", "!", Channel(a), Channel(b), "%");

        var seen = new HashSet<string>();
        for (int host = 1; host <= 10; host++)
        {
            var from = IPAddress.Parse($"127.0.0.{host}");
            string first = await TestClient.WhoAnswersAsync(port, from);
            Assert.Equal(first, await TestClient.WhoAnswersAsync(port, from));
            seen.Add(first);
        }

        Assert.Equal(2, seen.Count);
    }

    [Theory]
    [AllEngines]
    public async Task TheManualsSelfReferencingExampleServesAClient(string engine)
    {
        using var target = new TestBackend("target");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), "localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!", $"localhost:{target.Port}");

        Assert.Equal("target", await TestClient.WhoAnswersAsync(port));
        Assert.Equal(1, target.Accepted);
    }
}
