using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Balance.Tests.Support;

namespace Balance.Tests.Control;

/// <summary>What the control commands do to live traffic, and what the counters say about it.</summary>
public sealed class ControlRoutingEndToEndTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly TestRunDirectory _dir = new();
    private ProxyFixture? _proxy;

    public void Dispose()
    {
        _proxy?.Dispose();
        _dir.Dispose();
    }

    private ProxyFixture Proxy => _proxy ?? throw new InvalidOperationException("not started");

    private int Port => Proxy.Port;

    private async Task StartAsync(string engine) =>
        _proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["A", "B"], RunDirectory = _dir });

    private async Task<string> Command(string command)
    {
        ProcessResult result = await Proxy.ShellAsync(command);
        Assert.Equal(0, result.ExitCode);
        return result.Stdout;
    }

    /// <summary>One whole exchange through the proxy: connect, read the greeting, half-close, read to the end; returns who greeted.</summary>
    private async Task<string> Through()
    {
        using Socket client = await TestClient.ConnectAsync(Port);
        string backend = await TestClient.ReadLineAsync(client);
        await TestClient.FinishAsync(client);
        return backend;
    }

    private async Task<string[]> Through(int times)
    {
        var backends = new string[times];
        for (int i = 0; i < times; i++)
        {
            backends[i] = await Through();
        }

        return backends;
    }

    private async Task<JsonElement> Channel(int index)
    {
        using JsonDocument doc = JsonDocument.Parse(await Command("show json"));
        return doc.RootElement.GetProperty("groups")[0].GetProperty("channels")[index].Clone();
    }

    [Theory]
    [AllEngines]
    public async Task Disable_and_enable_steer_new_connections_while_traffic_flows(string engine)
    {
        await StartAsync(engine);
        Assert.Equal(new[] { "A", "B", "A", "B" }, await Through(4));

        using Socket longLived = await TestClient.ConnectAsync(Port);
        Assert.Equal("A", await TestClient.ReadLineAsync(longLived));

        Assert.Equal("channel 0 disabled\n", await Command("disable 0"));
        Assert.Equal(new[] { "B", "B", "B" }, await Through(3));
        await Traffic.EchoRoundsAsync(longLived, rounds: 1, size: 5000, Timeout); // a disabled channel keeps the connections it has

        Assert.Equal("channel 0 enabled\n", await Command("enable 0"));
        Assert.Equal("channel 1 disabled\n", await Command("disable 1"));
        Assert.Equal(new[] { "A", "A" }, await Through(2));
        await Traffic.EchoRoundsAsync(longLived, rounds: 1, size: 10, Timeout);

        Assert.Equal("channel 1 enabled\n", await Command("enable 1"));
        string[] both = await Through(4);
        Assert.Equal(2, both.Count(b => b == "A"));
        Assert.Equal(2, both.Count(b => b == "B"));
        await TestClient.FinishAsync(longLived);
    }

    [Theory]
    [AllEngines]
    public async Task Maxc_limits_a_channel_while_it_is_busy(string engine)
    {
        await StartAsync(engine);
        Assert.Equal("maxc of channel 0 changed to 1\n", await Command("maxc 0 1"));
        Assert.Equal("channel 1 disabled\n", await Command("disable 1"));
        using Socket holder = await TestClient.ConnectAsync(Port);
        Assert.Equal("A", await TestClient.ReadLineAsync(holder));
        await Poll.UntilAsync(async () => (await Channel(0)).GetProperty("connections").GetInt64() == 1, Timeout, "c of channel 0 at 1");

        Assert.Equal("channel 1 enabled\n", await Command("enable 1"));
        Assert.Equal("B", await Through());
        Assert.Equal("B", await Through());
        await TestClient.FinishAsync(holder);
    }

    [Theory]
    [AllEngines]
    public async Task Counters_match_the_bytes_relayed_once_traffic_has_ended(string engine)
    {
        await StartAsync(engine);
        var payloads = new[] { 1000, 70000, 1, 300000 };
        long sentToA = 0, sentToB = 0;
        foreach (int size in payloads)
        {
            using Socket client = await TestClient.ConnectAsync(Port);
            string backend = await TestClient.ReadLineAsync(client);
            await Traffic.EchoRoundsAsync(client, rounds: 1, size, Timeout);
            await TestClient.FinishAsync(client);
            if (backend == "A")
            {
                sentToA += size;
            }
            else
            {
                sentToB += size;
            }
        }

        await Poll.UntilAsync(
            async () => (await Channel(0)).GetProperty("connections").GetInt64() == 0 && (await Channel(1)).GetProperty("connections").GetInt64() == 0,
            Timeout,
            "every relay to end");

        Assert.Equal($"{sentToA + 2 * Proxy["A"].GreetingLength}\n{sentToA}\nUNKNOWN\ngroup 0 channel 0\n", await Command("mrtg-bytes 0 0"));
        Assert.Equal($"{sentToB + 2 * Proxy["B"].GreetingLength}\n{sentToB}\nUNKNOWN\ngroup 0 channel 1\n", await Command("mrtg-bytes 0 1"));
        Assert.Equal("2\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n", await Command("mrtg-conns 0 0"));
        string show = await Command("show");
        Assert.Contains(
            string.Create(CultureInfo.InvariantCulture, $"  0   RR  0 ENA        127.0.0.1 {Proxy["A"].Port,5}    0           2    0 {sentToA,11} {sentToA + 2 * Proxy["A"].GreetingLength,11}\n"),
            show);

        Assert.Equal("channel 0 counters reset\n", await Command("reset 0"));
        Assert.Equal("0\n0\nUNKNOWN\ngroup 0 channel 0\n", await Command("mrtg-bytes 0 0"));
        Assert.Equal("0\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n", await Command("mrtg-conns 0 0"));
    }

    [Theory]
    [AllEngines]
    public async Task Created_channel_takes_traffic_once_enabled(string engine)
    {
        await StartAsync(engine);
        using var c = new TestBackend("C");
        Assert.Equal("channel created\n", await Command($"create 127.0.0.1 {c.Port}"));
        Assert.Equal("channel 0 disabled\n", await Command("disable 0"));
        Assert.Equal("channel 1 disabled\n", await Command("disable 1"));
        Assert.Equal("", await TestClient.WhoAnswersAsync(Port)); // nothing usable: the client is closed

        Assert.Equal("channel 2 enabled\n", await Command("enable 2"));
        Assert.Equal("C", await Through());

        Assert.Equal("channel 2 disabled\n", await Command("disable 2"));
        Assert.Equal("channel reassigned\n", await Command($"assign 2 127.0.0.1 {Proxy["A"].Port}"));
        Assert.Equal("channel 2 enabled\n", await Command("enable 2"));
        Assert.Equal("A", await Through());
    }

    [Theory]
    [AllEngines]
    public async Task Hash_keeps_a_client_on_one_channel(string engine)
    {
        await StartAsync(engine);
        Assert.Equal("group 0 set to hash\n", await Command("hash"));
        string first = await Through();
        Assert.All(await Through(5), b => Assert.Equal(first, b));
        Assert.Equal("group 0 set to round robin\n", await Command("rr"));
        string[] spread = await Through(4);
        Assert.Contains("A", spread);
        Assert.Contains("B", spread);
    }
}
