using System.Globalization;
using System.Text.Json;
using Balance.Tests.Control.Helpers;

namespace Balance.Tests.Control;

/// <summary>What the control commands do to live traffic, and what the counters say about it.</summary>
public sealed class ControlRoutingEndToEndTests : IDisposable
{
    private readonly RunDir _dir = new();
    private readonly GreetingBackend _a = new("A");
    private readonly GreetingBackend _b = new("B");
    private readonly InstanceProcess _instance;

    public ControlRoutingEndToEndTests()
    {
        _instance = InstanceProcess.Start(_dir, FreePort.Next(), new[] { _a.Channel, _b.Channel });
    }

    public void Dispose()
    {
        _instance.Dispose();
        _a.Dispose();
        _b.Dispose();
        _dir.Dispose();
    }

    private string Command(string command)
    {
        ToolResult result = ToolRun.Balance(_dir, null, "-c", command, _instance.Port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, result.ExitCode);
        return result.Stdout;
    }

    private string Through()
    {
        using ProxyClient client = ProxyClient.Open(_instance.Port);
        client.Finish();
        return client.Backend;
    }

    private JsonElement Channel(int index)
    {
        using JsonDocument doc = JsonDocument.Parse(Command("show json"));
        return doc.RootElement.GetProperty("groups")[0].GetProperty("channels")[index].Clone();
    }

    [Fact]
    public void Disable_and_enable_steer_new_connections_while_traffic_flows()
    {
        Assert.Equal(new[] { "A", "B", "A", "B" }, Enumerable.Range(0, 4).Select(_ => Through()));

        using ProxyClient longLived = ProxyClient.Open(_instance.Port);
        Assert.Equal("A", longLived.Backend);

        Assert.Equal("channel 0 disabled\n", Command("disable 0"));
        Assert.Equal(new[] { "B", "B", "B" }, Enumerable.Range(0, 3).Select(_ => Through()));
        longLived.Echo(new byte[5000]); // a disabled channel keeps the connections it has

        Assert.Equal("channel 0 enabled\n", Command("enable 0"));
        Assert.Equal("channel 1 disabled\n", Command("disable 1"));
        Assert.Equal(new[] { "A", "A" }, Enumerable.Range(0, 2).Select(_ => Through()));
        longLived.Echo(new byte[10]);

        Assert.Equal("channel 1 enabled\n", Command("enable 1"));
        string[] both = Enumerable.Range(0, 4).Select(_ => Through()).ToArray();
        Assert.Equal(2, both.Count(b => b == "A"));
        Assert.Equal(2, both.Count(b => b == "B"));
        longLived.Finish();
    }

    [Fact]
    public void Maxc_limits_a_channel_while_it_is_busy()
    {
        Assert.Equal("maxc of channel 0 changed to 1\n", Command("maxc 0 1"));
        Assert.Equal("channel 1 disabled\n", Command("disable 1"));
        using ProxyClient holder = ProxyClient.Open(_instance.Port);
        Assert.Equal("A", holder.Backend);
        Eventually.True(() => Channel(0).GetProperty("connections").GetInt64() == 1, "c of channel 0 at 1");

        Assert.Equal("channel 1 enabled\n", Command("enable 1"));
        Assert.Equal("B", Through());
        Assert.Equal("B", Through());
        holder.Finish();
    }

    [Fact]
    public void Counters_match_the_bytes_relayed_once_traffic_has_ended()
    {
        var payloads = new[] { 1000, 70000, 1, 300000 };
        long sentToA = 0, sentToB = 0;
        foreach (int size in payloads)
        {
            using ProxyClient client = ProxyClient.Open(_instance.Port);
            client.Echo(new byte[size]);
            client.Finish();
            if (client.Backend == "A")
            {
                sentToA += size;
            }
            else
            {
                sentToB += size;
            }
        }

        Eventually.True(() => Channel(0).GetProperty("connections").GetInt64() == 0 && Channel(1).GetProperty("connections").GetInt64() == 0,
            "every relay to end");

        Assert.Equal($"{sentToA + 2 * _a.GreetingLength}\n{sentToA}\nUNKNOWN\ngroup 0 channel 0\n", Command("mrtg-bytes 0 0"));
        Assert.Equal($"{sentToB + 2 * _b.GreetingLength}\n{sentToB}\nUNKNOWN\ngroup 0 channel 1\n", Command("mrtg-bytes 0 1"));
        Assert.Equal("2\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n", Command("mrtg-conns 0 0"));
        string show = Command("show");
        Assert.Contains(
            string.Create(CultureInfo.InvariantCulture, $"  0   RR  0 ENA        127.0.0.1 {_a.Port,5}    0           2    0 {sentToA,11} {sentToA + 2 * _a.GreetingLength,11}\n"),
            show);

        Assert.Equal("channel 0 counters reset\n", Command("reset 0"));
        Assert.Equal("0\n0\nUNKNOWN\ngroup 0 channel 0\n", Command("mrtg-bytes 0 0"));
        Assert.Equal("0\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n", Command("mrtg-conns 0 0"));
    }

    [Fact]
    public void Created_channel_takes_traffic_once_enabled()
    {
        using var c = new GreetingBackend("C");
        Assert.Equal("channel created\n", Command($"create 127.0.0.1 {c.Port}"));
        Assert.Equal("channel 0 disabled\n", Command("disable 0"));
        Assert.Equal("channel 1 disabled\n", Command("disable 1"));
        Assert.Throws<IOException>(() => ProxyClient.Open(_instance.Port)); // nothing usable: the client is closed

        Assert.Equal("channel 2 enabled\n", Command("enable 2"));
        Assert.Equal("C", Through());

        Assert.Equal("channel 2 disabled\n", Command("disable 2"));
        Assert.Equal("channel reassigned\n", Command($"assign 2 127.0.0.1 {_a.Port}"));
        Assert.Equal("channel 2 enabled\n", Command("enable 2"));
        Assert.Equal("A", Through());
    }

    [Fact]
    public void Hash_keeps_a_client_on_one_channel()
    {
        Assert.Equal("group 0 set to hash\n", Command("hash"));
        string first = Through();
        Assert.All(Enumerable.Range(0, 5).Select(_ => Through()), b => Assert.Equal(first, b));
        Assert.Equal("group 0 set to round robin\n", Command("rr"));
        string[] spread = Enumerable.Range(0, 4).Select(_ => Through()).ToArray();
        Assert.Contains("A", spread);
        Assert.Contains("B", spread);
    }
}
