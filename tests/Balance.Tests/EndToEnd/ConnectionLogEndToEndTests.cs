using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --log-connections through the real binary on both engines: one line per
/// connection, with the right reason for each way a connection ends, and the
/// bytes that <c>show</c> counts.
/// </summary>
public sealed class ConnectionLogEndToEndTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(15);

    private static Task<BalanceProcess> StartAsync(string engine, int port, string channel, params string[] options) =>
        BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), ["-f", "--log-connections", .. options, port.ToString(), channel]);

    /// <summary>The connection log lines on stderr (the ones starting with time=).</summary>
    private static string[] Lines(BalanceProcess balance) =>
        balance.Stderr.Split('\n').Where(l => l.StartsWith("time=", StringComparison.Ordinal)).ToArray();

    private static async Task<Dictionary<string, string>> OneLineAsync(BalanceProcess balance, string end)
    {
        await Poll.UntilAsync(() => Lines(balance).Length > 0, LineTimeout, $"a connection log line ({end})");
        string[] lines = Lines(balance);
        Assert.Single(lines);
        Dictionary<string, string> fields = lines[0].Split(' ').Select(f => f.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal(["time", "client", "group", "channel", "backend", "connect_ms", "duration_ms", "sent", "rcvd", "end"], fields.Keys.ToArray());
        Assert.Equal(end, fields["end"]);
        return fields;
    }

    [Theory]
    [AllEngines]
    public async Task Client_closes_first_with_bytes_as_show_counts_them(string engine)
    {
        using var backend = new TestBackend("A");
        int port = FreePort.Next();
        await using var balance = await StartAsync(engine, port, backend.Channel);
        using (Socket client = await TestClient.ConnectAsync(port, IPAddress.Parse("127.0.0.44")))
        {
            Assert.Equal("A", await TestClient.ReadLineAsync(client));
            await client.SendAsync("ping\n"u8.ToArray(), SocketFlags.None);
            Assert.Equal("ping", await TestClient.ReadLineAsync(client));
            var self = (IPEndPoint)client.LocalEndPoint!;
            await TestClient.FinishAsync(client);

            Dictionary<string, string> line = await OneLineAsync(balance, "client-closed");
            Assert.Equal($"127.0.0.44:{self.Port}", line["client"]);
            Assert.Equal(backend.Channel, line["backend"]);
            Assert.Equal("0", line["group"]);
            Assert.Equal("0", line["channel"]);
            ShowRow row = await Shell.ChannelAsync(port, 0, 0);
            Assert.Equal(row.Sent.ToString(), line["sent"]);
            Assert.Equal(row.Received.ToString(), line["rcvd"]);
            Assert.Equal("5", line["sent"]);
            Assert.Equal("7", line["rcvd"]);
        }
    }

    [Theory]
    [AllEngines]
    public async Task Backend_closes_first(string engine)
    {
        using var backend = new TestBackend("A");
        int port = FreePort.Next();
        await using var balance = await StartAsync(engine, port, backend.Channel);
        using Socket client = await TestClient.ConnectAsync(port);
        Assert.Equal("A", await TestClient.ReadLineAsync(client));
        backend.FinishAll();
        Assert.Empty(await TestClient.ReadToEndAsync(client));
        client.Shutdown(SocketShutdown.Send);
        await OneLineAsync(balance, "backend-closed");
    }

    [Theory]
    [AllEngines("-T", "idle-timeout")]
    [AllEngines("--fin-timeout", "fin-timeout")]
    public async Task Timeouts(string engine, string option, string end)
    {
        using var backend = new TestBackend("sink", TestBackend.Behaviour.Silent);
        int port = FreePort.Next();
        await using var balance = await StartAsync(engine, port, backend.Channel, option, "1");
        using Socket client = await TestClient.ConnectAsync(port);
        await Poll.UntilAsync(() => backend.Accepted == 1, LineTimeout, "the backend to take the connection");
        if (end == "fin-timeout")
        {
            client.Shutdown(SocketShutdown.Send);
        }

        await OneLineAsync(balance, end);
    }

    [Theory]
    [AllEngines]
    public async Task A_reset(string engine)
    {
        using var backend = new TestBackend("A");
        int port = FreePort.Next();
        await using var balance = await StartAsync(engine, port, backend.Channel);
        using Socket client = await TestClient.ConnectAsync(port);
        Assert.Equal("A", await TestClient.ReadLineAsync(client));
        backend.ResetAll();
        await OneLineAsync(balance, "reset");
    }

    [Theory]
    [AllEngines]
    public async Task Every_channel_failed_in_json(string engine)
    {
        int port = FreePort.Next();
        int nobody = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "--log-connections", "--log-format", "json", port.ToString(), $"127.0.0.1:{nobody}");
        using Socket client = await TestClient.ConnectAsync(port);
        Assert.True(await TestClient.IsClosedByPeerAsync(client, LineTimeout));
        await Poll.UntilAsync(() => balance.Stderr.Contains("\"end\""), LineTimeout, "a JSON line");
        string json = balance.Stderr.Split('\n').Single(l => l.StartsWith('{'));
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal("no-channel", doc.RootElement.GetProperty("end").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("backend").ValueKind);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, doc.RootElement.GetProperty("clientPort").GetInt32());
    }

    [Theory]
    [AllEngines]
    public async Task Shutdown_after_the_grace_period(string engine)
    {
        using var backend = new TestBackend("sink", TestBackend.Behaviour.Silent);
        int port = FreePort.Next();
        var balance = await StartAsync(engine, port, backend.Channel, "--grace", "1");
        await using (balance)
        {
            using Socket client = await TestClient.ConnectAsync(port);
            await Poll.UntilAsync(() => backend.Accepted == 1, LineTimeout, "the backend to take the connection");
            balance.Signal(15);
            Assert.Equal(0, await balance.WaitForExitAsync(LineTimeout));
            await OneLineAsync(balance, "shutdown");
        }
    }
}
