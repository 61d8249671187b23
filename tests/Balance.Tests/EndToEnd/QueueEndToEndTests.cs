using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.EndToEnd;

/// <summary>The queue at maxc (--queue, --queue-timeout) through the real binary.</summary>
public sealed class QueueEndToEndTests
{
    private readonly ITestOutputHelper _output;

    public QueueEndToEndTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>The "queue" object of show json.</summary>
    private static async Task<(int Waiting, int Limit, long Served, long TimedOut, long TurnedAway)> Queue(ProxyFixture proxy)
    {
        using JsonDocument json = JsonDocument.Parse((await proxy.ShellAsync("show json")).Stdout);
        JsonElement q = json.RootElement.GetProperty("queue");
        return (q.GetProperty("waiting").GetInt32(), q.GetProperty("limit").GetInt32(), q.GetProperty("served").GetInt64(),
            q.GetProperty("timedOut").GetInt64(), q.GetProperty("turnedAway").GetInt64());
    }

    private static Task UntilWaiting(ProxyFixture proxy, int waiting) =>
        Poll.UntilAsync(async () => (await Queue(proxy)).Waiting == waiting, TimeSpan.FromSeconds(20), $"{waiting} clients in the queue");

    [Theory]
    [AllEngines]
    public async Task WaitingClientsAreServedInOrderAsSlotsFreeAndAFullQueueClosesNewcomers(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A"],
            Options = ["--queue", "3", "--queue-timeout", "120"], // longer than any wait of a slow machine
            Channels = ["{A}:1"],
        });
        using Socket first = await TestClient.ConnectAsync(proxy.Port);
        Assert.Equal("A", await TestClient.ReadLineAsync(first));

        var waiting = new List<Socket>();
        try
        {
            for (int i = 1; i <= 3; i++)
            {
                waiting.Add(await TestClient.ConnectAsync(proxy.Port));
                await UntilWaiting(proxy, i);
            }

            using Socket overflow = await TestClient.ConnectAsync(proxy.Port);
            Assert.True(await TestClient.IsClosedByPeerAsync(overflow, TimeSpan.FromSeconds(10)));
            Assert.Equal((3, 3, 0L, 0L, 1L), await Queue(proxy));
            Assert.Equal(1, proxy["A"].Accepted);

            first.Dispose();
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal("A", await TestClient.ReadLineAsync(waiting[i]));
                await UntilWaiting(proxy, 2 - i);
                Assert.Equal(i + 2, proxy["A"].Accepted); // exactly this one got through, none of those behind it
                waiting[i].Dispose();
            }

            Assert.Equal((0, 3, 3L, 0L, 1L), await Queue(proxy));
        }
        finally
        {
            waiting.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [AllEngines]
    public async Task AClientWaitsAtMostTheQueueTimeoutThenIsClosed(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A"],
            Options = ["--queue", "5", "--queue-timeout", "1"],
            Channels = ["{A}:1"],
        });
        using Socket holder = await TestClient.ConnectAsync(proxy.Port);
        Assert.Equal("A", await TestClient.ReadLineAsync(holder));

        var clock = Stopwatch.StartNew();
        using Socket waiting = await TestClient.ConnectAsync(proxy.Port);
        Assert.True(await TestClient.IsClosedByPeerAsync(waiting, TimeSpan.FromSeconds(15)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(12));
        Assert.Equal((0, 5, 0L, 1L, 0L), await Queue(proxy));
        Assert.Equal(1, proxy["A"].Accepted);
    }

    [Theory]
    [AllEngines]
    public async Task AWaitingClientIsConnectedWithinMillisecondsOfASlotFreeing(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A"],
            Options = ["--queue", "1", "--queue-timeout", "120"],
            Channels = ["{A}:1"],
        });
        var latencies = new List<double>();
        Socket holder = await TestClient.ConnectAsync(proxy.Port);
        Assert.Equal("A", await TestClient.ReadLineAsync(holder));
        for (int round = 0; round < 10; round++)
        {
            Socket next = await TestClient.ConnectAsync(proxy.Port);
            await UntilWaiting(proxy, 1);
            var clock = Stopwatch.StartNew();
            holder.Dispose();
            Assert.Equal("A", await TestClient.ReadLineAsync(next));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            holder = next;
        }

        holder.Dispose();
        latencies.Sort();
        _output.WriteLine($"{engine}: close of the holder to the waiting client's greeting, ms: median {latencies[5]:0.00}, max {latencies[^1]:0.00}");
        Assert.True(latencies[5] < 250, $"median wake-up {latencies[5]:0.0} ms");
    }

    [Theory]
    [AllEngines]
    public async Task ClientsTurnedAwayByDisabledOrRefusingChannelsAreClosedAtOnceEvenWithAQueue(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A"],
            Options = ["--queue", "5", "--queue-timeout", "30"],
            Channels = ["{A}", $"127.0.0.1:{FreePort.Next()}"],
        });
        await proxy.ShellAsync("disable 0");

        var clock = Stopwatch.StartNew();
        using Socket client = await TestClient.ConnectAsync(proxy.Port);
        Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal((0, 5, 0L, 0L, 0L), await Queue(proxy));
    }

    [Theory]
    [AllEngines]
    public async Task RaisingMaxcServesTheWaitingClients(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A"],
            Options = ["--queue", "5", "--queue-timeout", "60"],
            Channels = ["{A}:1"],
        });
        using Socket holder = await TestClient.ConnectAsync(proxy.Port);
        Assert.Equal("A", await TestClient.ReadLineAsync(holder));
        using Socket second = await TestClient.ConnectAsync(proxy.Port);
        using Socket third = await TestClient.ConnectAsync(proxy.Port);
        await UntilWaiting(proxy, 2);

        Assert.Equal("maxc of channel 0 changed to 3\n", (await proxy.ShellAsync("maxc 0 3")).Stdout);
        Assert.Equal("A", await TestClient.ReadLineAsync(second));
        Assert.Equal("A", await TestClient.ReadLineAsync(third));
        Assert.Equal((0, 5, 2L, 0L, 0L), await Queue(proxy));
    }
}
