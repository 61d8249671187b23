using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// Slowloris, megabyte request lines, garbage and a thousand idle connections
/// against --http: relaying goes on within a bound, balance's memory stays
/// bounded, and its descriptors come back once the clients are gone.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HostileHttpClientTests
{
    private const int Idle = 1000;
    private const int Slowloris = 100;
    private const int HugeLines = 5;
    private const int Garbage = 20;
    private static readonly TimeSpan AttackTime = TimeSpan.FromSeconds(7);

    /// <summary>One echo exchange through balance, on a new connection, must finish within this while the attack runs.</summary>
    private static readonly TimeSpan RelayBound = TimeSpan.FromSeconds(3);

    private readonly ITestOutputHelper _output;

    public HostileHttpClientTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [AllEngines]
    public async Task Hostile_http_clients_neither_stall_relaying_nor_grow_memory(string engine)
    {
        var (proxy, httpPort) = await HttpProxy.StartAsync(engine, new ProxySetup { Backends = [new("echo", TestBackend.Behaviour.Echo)] });
        await using var _ = proxy;
        int pid = proxy.Pid;
        await ExchangeAsync(proxy.Port);
        Assert.Equal(200, (await HttpAnswer.GetAsync(httpPort, "/metrics")).Status);
        int descriptorsBefore = ProcStats.SocketsAndPipes(pid);
        long rssBefore = ProcStats.RssKb(pid);

        var held = new List<Socket>();
        using var attack = new CancellationTokenSource(AttackTime);
        try
        {
            var attackers = new List<Task>();
            attackers.AddRange(Enumerable.Range(0, Slowloris).Select(_ => SlowlorisAsync(httpPort, held, attack.Token)));
            attackers.AddRange(Enumerable.Range(0, HugeLines).Select(_ => HugeLineAsync(httpPort, held, attack.Token)));
            attackers.AddRange(Enumerable.Range(0, Garbage).Select(_ => GarbageAsync(httpPort, held, attack.Token)));
            attackers.Add(IdleAsync(httpPort, held, attack.Token));

            // Relaying, measured while the attack runs.
            long rssMax = rssBefore;
            int descriptorsMax = descriptorsBefore;
            var slowest = TimeSpan.Zero;
            int exchanges = 0;
            while (!attack.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                await ExchangeAsync(proxy.Port).WaitAsync(RelayBound * 3);
                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                exchanges++;
                rssMax = Math.Max(rssMax, ProcStats.RssKb(pid));
                descriptorsMax = Math.Max(descriptorsMax, ProcStats.SocketsAndPipes(pid));
                await Task.Delay(100);
            }

            await Task.WhenAll(attackers).WaitAsync(TimeSpan.FromSeconds(60));
            rssMax = Math.Max(rssMax, ProcStats.RssKb(pid));
            _output.WriteLine(
                $"{engine}: {held.Count} hostile connections; {exchanges} relay exchanges meanwhile, slowest {slowest.TotalMilliseconds:0} ms; " +
                $"RSS {rssBefore} KiB before, at most {rssMax} KiB during; sockets {descriptorsBefore} before, at most {descriptorsMax} during");

            Assert.True(held.Count >= Idle / 2, $"only {held.Count} hostile connections were made");
            Assert.True(exchanges >= 5, $"only {exchanges} exchanges in {AttackTime.TotalSeconds} s");
            Assert.True(slowest < RelayBound, $"a relay exchange took {slowest.TotalMilliseconds:0} ms during the attack");
            Assert.True(rssMax - rssBefore < 32 * 1024, $"RSS grew from {rssBefore} KiB to {rssMax} KiB");

            // At most 64 HTTP clients are held at once (HttpLimits.MaxConnections); the rest are refused at once.
            Assert.True(descriptorsMax - descriptorsBefore <= 64 + 16, $"balance held {descriptorsMax - descriptorsBefore} more sockets during the attack");
        }
        finally
        {
            lock (held)
            {
                held.ForEach(s => s.Dispose());
            }
        }

        // Afterwards: descriptors back, and the endpoint serves again.
        await Poll.UntilAsync(() => ProcStats.SocketsAndPipes(pid) <= descriptorsBefore, TimeSpan.FromSeconds(30),
            $"balance's sockets to come back to {descriptorsBefore} (now {ProcStats.SocketsAndPipes(pid)})");
        Assert.Equal(200, (await HttpAnswer.GetAsync(httpPort, "/metrics")).Status);
        await ExchangeAsync(proxy.Port);
    }

    private static async Task ExchangeAsync(int port)
    {
        using Socket client = await TestClient.ConnectAsync(port);
        await Traffic.EchoRoundsAsync(client, 1, 256, TimeSpan.FromSeconds(30));
    }

    private static async Task<Socket?> OpenAsync(int port, List<Socket> held)
    {
        try
        {
            Socket socket = await TestClient.ConnectAsync(port);
            lock (held)
            {
                held.Add(socket);
            }

            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A request line, then a header byte every 200 ms until the server closes or the attack ends.</summary>
    private static async Task SlowlorisAsync(int port, List<Socket> held, CancellationToken stop)
    {
        if (await OpenAsync(port, held) is not Socket socket)
        {
            return;
        }

        byte[] start = "GET /metrics HTTP/1.1\r\nX-Slow: "u8.ToArray();
        byte[] one = "a"u8.ToArray();
        try
        {
            await socket.SendAsync(start, SocketFlags.None, stop);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(200, stop);
                await socket.SendAsync(one, SocketFlags.None, stop);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Closed by balance (the head deadline) or the attack is over.
        }
    }

    /// <summary>A request line of a megabyte, as fast as balance takes it.</summary>
    private static async Task HugeLineAsync(int port, List<Socket> held, CancellationToken stop)
    {
        if (await OpenAsync(port, held) is not Socket socket)
        {
            return;
        }

        byte[] line = Encoding.ASCII.GetBytes("GET /" + new string('a', 1024 * 1024));
        try
        {
            await socket.SendAsync(line, SocketFlags.None, stop);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
    }

    private static async Task GarbageAsync(int port, List<Socket> held, CancellationToken stop)
    {
        if (await OpenAsync(port, held) is not Socket socket)
        {
            return;
        }

        try
        {
            await socket.SendAsync(RandomNumberGenerator.GetBytes(16 * 1024), SocketFlags.None, stop);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
    }

    /// <summary>A thousand connections that send nothing, opened fifty at a time.</summary>
    private static async Task IdleAsync(int port, List<Socket> held, CancellationToken stop)
    {
        for (int i = 0; i < Idle && !stop.IsCancellationRequested; i += 50)
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => OpenAsync(port, held)));
        }
    }
}
