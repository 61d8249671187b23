using System.Net.Sockets;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// Clients that reset or vanish mid-transfer: balance closes the backend side,
/// and after a thousand of them holds no more descriptors or memory than before.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ClientFailureTests
{
    private const int Clients = 1000;
    private const int AtOnce = 50;

    /// <summary>
    /// Clients before the baseline is taken, as many as after: the runtime's
    /// pools and garbage-collected heap reach their working size first.
    /// </summary>
    private const int Warmup = Clients;

    /// <summary>Files the JIT-compiled build may still open on first use (assemblies, symbols).</summary>
    private const int RuntimeFilesSlack = 16;

    /// <summary>
    /// Memory growth allowed over the baseline after all the clients (KiB). A
    /// leak of a relay buffer (64 KiB) per client would be 64 MiB. The socket
    /// engine leaves more garbage per connection (exceptions, socket objects),
    /// and the collected heap of the JIT-compiled build is still settling into
    /// its working size over these clients (it levels off after some 2,500).
    /// </summary>
    private static long MemorySlackKb(string engine) => engine == Engines.Sockets ? 16 * 1024 : 8 * 1024;

    /// <summary>
    /// balance's environment, with the collector's young-generation budget
    /// fixed. By default the runtime sizes it from the CPU's last-level cache
    /// (about 130 MiB with a 260 MiB cache), and the heap of the socket engine
    /// then grows by all the garbage of a thousand clients before its first
    /// collection: the check would measure the machine's cache, not a leak.
    /// </summary>
    private static Dictionary<string, string> Environment(string engine) => Engines.Environment(engine, new Dictionary<string, string>
    {
        ["DOTNET_GCgen0size"] = "400000", // hexadecimal; the native build does not read a 0x prefix
        ["DOTNET_GCGen0MaxBudget"] = "600000",
    });

    private readonly ITestOutputHelper _output;

    public ClientFailureTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [AllEngines]
    public async Task ClientsResettingMidDownloadLeaveNothingBehind(string engine)
    {
        using var streamer = new StreamBackend(length: -1);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Environment(engine), "-f", port.ToString(), $"127.0.0.1:{streamer.Port}");

        async Task DownloadThenReset()
        {
            using Socket client = await TestClient.ConnectAsync(port);
            await Traffic.ReadExactlyAsync(client, 64 * 1024, TestClient.ReadTimeout);
            Traffic.Reset(client);
        }

        await RunAsync(balance, port, engine, DownloadThenReset, () => streamer.Open == 0, "the streaming backend's connections to be closed");
    }

    [Theory]
    [AllEngines]
    public async Task ClientsResettingMidUploadToAStalledBackendLeaveNothingBehind(string engine)
    {
        // The backend never reads: balance holds data it cannot deliver, and
        // stops reading the client, when the client resets.
        using var stalled = new TestBackend("stalled", TestBackend.Behaviour.Silent, backlog: 4096);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Environment(engine), "-f", port.ToString(), $"127.0.0.1:{stalled.Port}");

        async Task UploadThenReset()
        {
            using Socket client = await TestClient.ConnectAsync(port);
            await Traffic.FillUntilStalledAsync(client);
            Traffic.Reset(client);
        }

        await RunAsync(balance, port, engine, UploadThenReset, () => TcpTable.Established(stalled.Port) == 0, "balance's connections to the stalled backend to be closed");
    }

    [Theory]
    [AllEngines]
    public async Task ClientsVanishingDuringAnExchangeLeaveNothingBehind(string engine)
    {
        // Mid-exchange with an echo: the client goes away with echoed data unread (its kernel resets).
        using var echo = new TestBackend("echo", TestBackend.Behaviour.Echo, backlog: 4096);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Environment(engine), "-f", port.ToString(), $"127.0.0.1:{echo.Port}");

        async Task ExchangeThenVanish()
        {
            using Socket client = await TestClient.ConnectAsync(port);
            await Traffic.EchoRoundsAsync(client, rounds: 2, size: 512, TestClient.ReadTimeout);
            await client.SendAsync(new byte[32 * 1024], SocketFlags.None);
            client.Dispose();
        }

        await RunAsync(balance, port, engine, ExchangeThenVanish, () => echo.Open == 0, "the echo backend's connections to be closed");
    }

    /// <summary>
    /// A warm-up round, then the baseline, then <see cref="Clients"/> more, then
    /// descriptors and memory must come back near the baseline.
    /// </summary>
    private async Task RunAsync(BalanceProcess balance, int port, string engine, Func<Task> oneClient, Func<bool> backendSideClosed, string what)
    {
        await Shell.ShowAsync(port); // the control server is up and has opened what it keeps open
        int idle = ProcStats.SocketsAndPipes(balance.Pid);
        long pssAtStart = ProcStats.PssKb(balance.Pid);
        await ManyAsync(oneClient, Warmup);
        await Poll.UntilAsync(backendSideClosed, TimeSpan.FromSeconds(10), what);
        await Poll.UntilAsync(
            () => ProcStats.SocketsAndPipes(balance.Pid) <= idle,
            TimeSpan.FromSeconds(10),
            $"the warm-up's sockets to be closed ({idle} at start, now {ProcStats.SocketsAndPipes(balance.Pid)})");
        int descriptors = ProcStats.Descriptors(balance.Pid);
        long pss = ProcStats.PssKb(balance.Pid);

        await ManyAsync(oneClient, Clients);

        await Poll.UntilAsync(backendSideClosed, TimeSpan.FromSeconds(10), what);
        await Poll.UntilAsync(
            () => ProcStats.SocketsAndPipes(balance.Pid) <= idle,
            TimeSpan.FromSeconds(10),
            $"balance's sockets and pipes to come back to {idle} (now {ProcStats.SocketsAndPipes(balance.Pid)})");
        ShowRow channel = await Shell.ChannelAsync(port, 0, 0);
        Assert.Equal((0, Warmup + Clients), (channel.Connections, channel.TotalConnections));
        int descriptorsAfter = ProcStats.Descriptors(balance.Pid);
        long pssAfter = ProcStats.PssKb(balance.Pid);
        _output.WriteLine($"descriptors {descriptors} -> {descriptorsAfter}; PSS {pssAtStart} at start, {pss} after warm-up, {pssAfter} KiB after");
        Assert.InRange(descriptorsAfter, 0, descriptors + RuntimeFilesSlack);
        Assert.InRange(pssAfter - pss, long.MinValue, MemorySlackKb(engine));
        Assert.False(balance.HasExited);
    }

    private static async Task ManyAsync(Func<Task> oneClient, int count)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = AtOnce, CancellationToken = cancel.Token },
            async (_, _) => await oneClient());
    }
}
