using System.Diagnostics;
using System.Net.Sockets;
using Balance.Tests.Support;

namespace Balance.Tests.Reliability;

/// <summary>
/// Backends that take a connection and never answer, or never take it (full
/// accept queue): -t fails over when the connect times out, -T closes pairs
/// with nothing moving.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class UnresponsiveBackendTests
{
    [Theory]
    [AllEngines]
    public async Task ClientsOfABackendWithAFullAcceptQueueFailOverWhenTheConnectTimesOut(string engine)
    {
        using var hanging = await FullAcceptQueue.CreateAsync();
        using var live = new TestBackend("live");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-t", "1", port.ToString(), $"127.0.0.1:{hanging.Port}", $"127.0.0.1:{live.Port}");

        // Round robin: clients 0, 2, 4, ... start on the hanging channel and each
        // times out on its own clock; the others reach the live one at once.
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            string who = await TestClient.WhoAnswersAsync(port);
            return (Who: who, After: clock.Elapsed);
        }));

        Assert.All(answers, a => Assert.Equal("live", a.Who));
        Assert.All(answers, a => Assert.InRange(a.After, TimeSpan.Zero, TimeSpan.FromSeconds(3)));
        Assert.Contains(answers, a => a.After >= TimeSpan.FromSeconds(0.9));
        ShowRow stuck = await Shell.ChannelAsync(port, 0, 0);
        Assert.Equal(0, stuck.Connections);
        Assert.InRange(stuck.TotalConnections, 1, 8);
    }

    [Theory]
    [AllEngines]
    public async Task APairWithABackendThatNeverAnswersIsClosedByTheIdleTimeout(string engine)
    {
        // The connect succeeds (the kernel completes it), so -t has nothing to do; -T does.
        using var silent = new TestBackend("silent", TestBackend.Behaviour.Silent);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-t", "1", "-T", "1", port.ToString(), $"127.0.0.1:{silent.Port}");

        using Socket client = await TestClient.ConnectAsync(port);
        await client.SendAsync("hello?\n"u8.ToArray(), SocketFlags.None);
        var clock = Stopwatch.StartNew();
        Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(5)), "the idle pair was not closed");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(3.5));

        await Poll.UntilAsync(() => TcpTable.Established(silent.Port) == 0, TimeSpan.FromSeconds(5), "the backend side to be closed too");
        ShowRow channel = await Shell.ChannelAsync(port, 0, 0);
        Assert.Equal((0, 1, 7), (channel.Connections, channel.TotalConnections, channel.Sent));
    }

    [Theory]
    [AllEngines]
    public async Task WithoutTheIdleTimeoutASilentPairStaysOpen(string engine)
    {
        using var silent = new TestBackend("silent", TestBackend.Behaviour.Silent);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", "-t", "1", port.ToString(), $"127.0.0.1:{silent.Port}");

        using Socket client = await TestClient.ConnectAsync(port);
        Assert.False(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(2.5)), "a quiet pair was closed with no -T");
        Assert.Equal(1, (await Shell.ChannelAsync(port, 0, 0)).Connections);
    }
}
