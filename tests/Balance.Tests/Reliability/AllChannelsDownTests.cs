using System.Diagnostics;
using System.Net.Sockets;
using Balance.Tests.Support;

namespace Balance.Tests.Reliability;

/// <summary>
/// Every channel down, then back: clients are closed at once while nothing
/// answers, and served again as soon as a channel does; with -a a failed
/// channel stays disabled until the control shell enables it.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class AllChannelsDownTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);

    [Theory]
    [AllEngines]
    public async Task ClientsAreClosedWhileEveryChannelIsDownAndServedAsSoonAsOneIsBack(string engine)
    {
        int portA = FreePort.Next();
        int portB = FreePort.Next();
        int port = FreePort.Next();
        var a = new TestBackend("A", port: portA);
        var b = new TestBackend("B", port: portB);
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-t", "1", port.ToString(), $"127.0.0.1:{portA}", "!", $"127.0.0.1:{portB}");
        Assert.Equal("A", await TestClient.WhoAnswersAsync(port));

        a.Dispose();
        b.Dispose();
        for (int i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            using Socket client = await TestClient.ConnectAsync(port);
            Assert.True(await TestClient.IsClosedByPeerAsync(client, Prompt), "a client was left open with every channel down");
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, Prompt);
        }

        // The failover group comes back first, then the first group.
        using (var backB = new TestBackend("B", port: portB))
        {
            Assert.Equal("B", await TestClient.WhoAnswersAsync(port));
            using var backA = new TestBackend("A", port: portA);
            Assert.Equal("A", await TestClient.WhoAnswersAsync(port));
        }

        IReadOnlyList<ShowRow> rows = await Shell.ShowAsync(port);
        Assert.All(rows, r => Assert.True(r.Enabled));
        Assert.All(rows, r => Assert.Equal(0, r.Connections));
        Assert.Equal(new long[] { 1 + 10 + 1 + 1, 10 + 1 }, rows.Select(r => r.TotalConnections));
    }

    [Theory]
    [AllEngines]
    public async Task WithAutodisableAFailedChannelStaysDisabledUntilEnabled(string engine)
    {
        int portA = FreePort.Next();
        int portB = FreePort.Next();
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-a", "-t", "1", port.ToString(), $"127.0.0.1:{portA}", $"127.0.0.1:{portB}");

        // Nothing listens: both channels fail once and are disabled, the client is closed.
        using (Socket client = await TestClient.ConnectAsync(port))
        {
            Assert.True(await TestClient.IsClosedByPeerAsync(client, Prompt));
        }

        await Poll.UntilAsync(async () => (await Shell.ShowAsync(port)).All(r => !r.Enabled), TimeSpan.FromSeconds(5), "both channels to be disabled");
        Assert.Contains("connection failed group 0 channel 0", balance.Stderr);
        Assert.Contains($"127.0.0.1:{portA} needs to be enabled manually using balance -i after the problem is solved", balance.Stderr);

        // Back, but disabled: still closed, and no attempt reaches the backend.
        using var a = new TestBackend("A", port: portA);
        using var b = new TestBackend("B", port: portB);
        for (int i = 0; i < 3; i++)
        {
            using Socket client = await TestClient.ConnectAsync(port);
            Assert.True(await TestClient.IsClosedByPeerAsync(client, Prompt), "a disabled channel was used");
        }

        Assert.Equal(0, a.Accepted + b.Accepted);

        var (exit, stdout, _) = await Shell.RunAsync(port, "enable 1");
        Assert.Equal((0, "channel 1 enabled\n"), (exit, stdout));
        Assert.Equal("B", await TestClient.WhoAnswersAsync(port));
        Assert.Equal("B", await TestClient.WhoAnswersAsync(port));
        Assert.Equal("channel 0 enabled\n", (await Shell.RunAsync(port, "enable 0")).Stdout);
        var answers = new[] { await TestClient.WhoAnswersAsync(port), await TestClient.WhoAnswersAsync(port) };
        Assert.Equal(new[] { "A", "B" }, answers.Order());
        Assert.All(await Shell.ShowAsync(port), r => Assert.True(r.Enabled));
    }
}
