using System.Diagnostics;
using System.Net.Sockets;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// Out of file descriptors: balance refuses or queues the clients it cannot
/// take, says so once per interval (not once per client), never exits, and
/// serves normally again once the load drops.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DescriptorExhaustionTests
{
    /// <summary>Open-files limit (soft and hard) balance runs with: room for a few dozen relays.</summary>
    private const int Limit = 160;

    /// <summary>More clients than <see cref="Limit"/> descriptors can relay (two each).</summary>
    private const int Clients = 200;

    /// <summary>balance logs a shortage at most once per this interval.</summary>
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly ITestOutputHelper _output;

    public DescriptorExhaustionTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private enum Fate
    {
        Served,
        Closed,
        Waiting,
    }

    // One test per engine by name, not AllEngines: the socket engine's needs the native binary.
    [Fact]
    public Task EpollEngineRefusesOrQueuesTheExcessLogsOnceAndRecovers() => RunAsync(Engines.Epoll);

    /// <summary>
    /// The socket engine runs on the thread pool, and the JIT-compiled runtime
    /// of the test build needs descriptors to start a thread (it aborts when it
    /// has none): this one runs against the native binary only (BALANCE_BIN).
    /// </summary>
    [NativeBinaryFact]
    public Task SocketEngineRefusesOrQueuesTheExcessLogsOnceAndRecovers() => RunAsync(Engines.Sockets);

    private async Task RunAsync(string engine)
    {
        using var echo = new TestBackend("echo", backlog: 4096);
        int port = FreePort.Next();
        string[] launcher = { "prlimit", $"--nofile={Limit}:{Limit}", "--" };
        using var balance = await BalanceProcess.StartProxyThroughAsync(
            port, launcher, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{echo.Port}");
        Assert.Equal(Limit, ProcStats.OpenFilesLimit(balance.Pid));
        Assert.Equal("echo", await TestClient.WhoAnswersAsync(port));

        // The JIT-compiled test build loads assemblies and symbol files the first
        // time a relay ends in an error: let that happen while files can be opened
        // (the native binary has everything in it).
        for (int i = 0; i < 5; i++)
        {
            using Socket early = await TestClient.ConnectAsync(port);
            Assert.Equal("echo", await TestClient.ReadLineAsync(early));
            await early.SendAsync(new byte[1000], SocketFlags.None);
            Traffic.Reset(early);
        }

        await Poll.UntilAsync(async () => (await Shell.ChannelAsync(port, 0, 0)).Connections == 0, TimeSpan.FromSeconds(10), "the early relays to end");
        var clock = Stopwatch.StartNew();

        // All at once: each is served (greeting), closed, or left waiting in the listen queue.
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => OpenAsync(port)));
        var fates = await Task.WhenAll(clients.Select(c => FateAsync(c, TimeSpan.FromSeconds(3))));
        int served = fates.Count(f => f == Fate.Served);
        int closed = fates.Count(f => f == Fate.Closed);
        int waiting = fates.Count(f => f == Fate.Waiting);
        Assert.False(balance.HasExited, $"balance exited: {balance.Stderr}");
        _output.WriteLine($"{engine}: {served} served, {closed} refused, {waiting} waiting at {ProcStats.Descriptors(balance.Pid)} descriptors");
        Assert.InRange(served, 1, Clients - 1);

        // Load drops: the served clients leave; the waiting ones are served (each
        // leaving at once, making room for the next) or closed, none hangs.
        for (int i = 0; i < Clients; i++)
        {
            if (fates[i] != Fate.Waiting)
            {
                clients[i].Dispose();
            }
        }

        var late = await Task.WhenAll(Enumerable.Range(0, Clients).Where(i => fates[i] == Fate.Waiting).Select(async i =>
        {
            Fate fate = await FateAsync(clients[i], TimeSpan.FromSeconds(15));
            clients[i].Dispose();
            return fate;
        }));
        _output.WriteLine($"{engine}: of the waiting, {late.Count(f => f == Fate.Served)} served, {late.Count(f => f == Fate.Closed)} refused, {late.Count(f => f == Fate.Waiting)} still waiting");
        Assert.DoesNotContain(Fate.Waiting, late);
        foreach (Socket client in clients)
        {
            client.Dispose();
        }

        await Poll.UntilAsync(async () => (await Shell.ChannelAsync(port, 0, 0)).Connections == 0, TimeSpan.FromSeconds(10), "every relay to end");
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("echo", await TestClient.WhoAnswersAsync(port));
        }

        Assert.False(balance.HasExited);
        string[] shortage = balance.Stderr.Split('\n').Where(l => l.Contains("too many open files", StringComparison.OrdinalIgnoreCase)).ToArray();
        _output.WriteLine(balance.Stderr);
        int allowed = 1 + (int)(clock.Elapsed / LogInterval);
        Assert.InRange(shortage.Length, 1, allowed);
    }

    private static async Task<Socket> OpenAsync(int port)
    {
        try
        {
            return await TestClient.ConnectAsync(port);
        }
        catch (SocketException)
        {
            // Refused outright: an already closed socket stands for it.
            var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            refused.Dispose();
            return refused;
        }
    }

    /// <summary>What became of a client within <paramref name="timeout"/>: the backend's greeting, a close, or nothing yet.</summary>
    private static async Task<Fate> FateAsync(Socket client, TimeSpan timeout)
    {
        byte[] greeting = new byte[5];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await Traffic.ReadExactlyAsync(client, greeting, cancel.Token);
            return Fate.Served;
        }
        catch (OperationCanceledException)
        {
            return Fate.Waiting;
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException or ObjectDisposedException)
        {
            return Fate.Closed;
        }
    }
}
