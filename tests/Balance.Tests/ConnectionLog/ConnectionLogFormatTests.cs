using System.Net;
using System.Text.Json;
using Balance.ConnectionLog;

namespace Balance.Tests.ConnectionLog;

/// <summary>The text and JSON lines of the connection log: field order, names, empty fields, IPv6, escaping.</summary>
public sealed class ConnectionLogFormatTests
{
    private static ConnectionRecord Record(string client, int port, IPEndPoint? backend, EndReason reason)
    {
        var record = new ConnectionRecord
        {
            Start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2)),
            ClientPort = (ushort)port,
            Group = backend is null ? -1 : 1,
            Channel = backend is null ? -1 : 2,
            Backend = backend,
            ConnectMs = backend is null ? -1 : 3,
            DurationMs = 2042,
            Sent = backend is null ? 0 : 512,
            Received = backend is null ? 0 : 10240,
            Reason = reason,
        };
        IPAddress.Parse(client).TryWriteBytes(record.Client, out record.ClientLength);
        return record;
    }

    [Fact]
    public void Text_fields_in_order()
    {
        string line = new ConnectionLogText().Format(Record("192.0.2.7", 51234, new IPEndPoint(IPAddress.Parse("198.51.100.2"), 80), EndReason.ClientClosed));
        Assert.Equal("time=2026-01-02T01:04:05.678Z client=192.0.2.7:51234 group=1 channel=2 backend=198.51.100.2:80 connect_ms=3 duration_ms=2042 sent=512 rcvd=10240 end=client-closed", line);
    }

    [Fact]
    public void Text_without_a_channel_has_dashes_and_IPv6_is_bracketed()
    {
        string line = new ConnectionLogText().Format(Record("2001:db8::7", 1, null, EndReason.AllChannelsFailed));
        Assert.Equal("time=2026-01-02T01:04:05.678Z client=[2001:db8::7]:1 group=- channel=- backend=- connect_ms=- duration_ms=2042 sent=0 rcvd=0 end=no-channel", line);
        Assert.DoesNotContain("  ", line);
        Assert.All(line.Split(' '), field => Assert.Contains('=', field));
    }

    [Theory]
    [InlineData(nameof(EndReason.ClientClosed), "client-closed")]
    [InlineData(nameof(EndReason.BackendClosed), "backend-closed")]
    [InlineData(nameof(EndReason.IdleTimeout), "idle-timeout")]
    [InlineData(nameof(EndReason.HalfCloseTimeout), "fin-timeout")]
    [InlineData(nameof(EndReason.Reset), "reset")]
    [InlineData(nameof(EndReason.AllChannelsFailed), "no-channel")]
    [InlineData(nameof(EndReason.QueueTimeout), "queue-timeout")]
    [InlineData(nameof(EndReason.Shutdown), "shutdown")]
    public void Every_reason_has_its_name(string reason, string name)
    {
        Assert.EndsWith($" end={name}", new ConnectionLogText().Format(Record("127.0.0.1", 1, null, Enum.Parse<EndReason>(reason))));
    }

    [Fact]
    public void Json_has_the_same_fields()
    {
        string line = new ConnectionLogJson().Format(Record("::ffff:192.0.2.7", 51234, new IPEndPoint(IPAddress.Parse("::1"), 80), EndReason.BackendClosed));
        Assert.DoesNotContain('\n', line);
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        Assert.Equal(
            ["time", "client", "clientPort", "group", "channel", "backend", "connectMs", "durationMs", "sent", "rcvd", "end"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("2026-01-02T01:04:05.678Z", root.GetProperty("time").GetString());
        Assert.Equal("192.0.2.7", root.GetProperty("client").GetString());
        Assert.Equal(51234, root.GetProperty("clientPort").GetInt32());
        Assert.Equal("[::1]:80", root.GetProperty("backend").GetString());
        Assert.Equal(10240, root.GetProperty("rcvd").GetInt64());
        Assert.Equal("backend-closed", root.GetProperty("end").GetString());
    }

    [Fact]
    public void Json_without_a_channel_has_nulls()
    {
        using JsonDocument doc = JsonDocument.Parse(new ConnectionLogJson().Format(Record("127.0.0.1", 9, null, EndReason.QueueTimeout)));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("backend").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("group").ValueKind);
        Assert.Equal("queue-timeout", doc.RootElement.GetProperty("end").GetString());
    }

    [Fact]
    public void Json_escapes_what_it_writes()
    {
        // No field holds free text today; the writer escapes anyway (a scope id is the closest to it).
        var backend = new IPEndPoint(IPAddress.Parse("fe80::1%1"), 80);
        string line = new ConnectionLogJson().Format(Record("127.0.0.1", 9, backend, EndReason.Reset));
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal("[fe80::1%1]:80", doc.RootElement.GetProperty("backend").GetString());
    }
}
