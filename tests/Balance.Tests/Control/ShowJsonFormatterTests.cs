using System.Net;
using System.Text.Json;
using Balance.Control;
using Balance.Routing;

namespace Balance.Tests.Control;

public class ShowJsonFormatterTests
{
    [Fact]
    public void Json_has_groups_types_channels_state_and_counters()
    {
        var rows = new List<ChannelStatus>
        {
            new(0, GroupType.RoundRobin, 0, true, new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 8080), 1, 5, 16, 100, 200),
            new(0, GroupType.RoundRobin, 1, false, new IPEndPoint(IPAddress.Parse("::1"), 8081), 0, 0, 0, 0, 0),
            new(3, GroupType.Hash, 0, true, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 25), 0, 9, 0, 1L << 40, 7),
        };

        string text = ShowJsonFormatter.Format(rows, pid: 4242);

        Assert.EndsWith("}\n", text);
        Assert.DoesNotContain("\n", text.TrimEnd('\n'));
        using JsonDocument doc = JsonDocument.Parse(text);
        JsonElement root = doc.RootElement;
        Assert.Equal(Balance.Version.Text, root.GetProperty("version").GetString());
        Assert.Equal(4242, root.GetProperty("pid").GetInt32());
        JsonElement[] groups = root.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(2, groups.Length);
        Assert.Equal(0, groups[0].GetProperty("group").GetInt32());
        Assert.Equal("rr", groups[0].GetProperty("type").GetString());
        Assert.Equal(3, groups[1].GetProperty("group").GetInt32());
        Assert.Equal("hash", groups[1].GetProperty("type").GetString());

        JsonElement first = groups[0].GetProperty("channels")[0];
        Assert.Equal(0, first.GetProperty("channel").GetInt32());
        Assert.True(first.GetProperty("enabled").GetBoolean());
        Assert.Equal("127.0.0.1", first.GetProperty("address").GetString());
        Assert.Equal(8080, first.GetProperty("port").GetInt32());
        Assert.Equal(1, first.GetProperty("connections").GetInt64());
        Assert.Equal(5, first.GetProperty("totalConnections").GetInt64());
        Assert.Equal(16, first.GetProperty("maxConnections").GetInt32());
        Assert.Equal(100, first.GetProperty("bytesSent").GetInt64());
        Assert.Equal(200, first.GetProperty("bytesReceived").GetInt64());

        JsonElement second = groups[0].GetProperty("channels")[1];
        Assert.False(second.GetProperty("enabled").GetBoolean());
        Assert.Equal("::1", second.GetProperty("address").GetString());
        Assert.Equal(1L << 40, groups[1].GetProperty("channels")[0].GetProperty("bytesSent").GetInt64());
    }

    [Fact]
    public void Json_has_each_channels_weight_the_group_types_and_the_queue_when_there_is_one()
    {
        var rows = new List<ChannelStatus>
        {
            new(0, GroupType.LeastConnections, 0, true, new IPEndPoint(IPAddress.Loopback, 80), 0, 0, 0, 0, 0, Weight: 7),
            new(1, GroupType.ModuloHash, 0, true, new IPEndPoint(IPAddress.Loopback, 81), 0, 0, 0, 0, 0),
        };

        using JsonDocument doc = JsonDocument.Parse(ShowJsonFormatter.Format(rows, 1, new QueueStatus(3, 10, 20, 4, 5)));
        JsonElement groups = doc.RootElement.GetProperty("groups");
        Assert.Equal("leastconn", groups[0].GetProperty("type").GetString());
        Assert.Equal(7, groups[0].GetProperty("channels")[0].GetProperty("weight").GetInt32());
        Assert.Equal("hash", groups[1].GetProperty("type").GetString());
        Assert.Equal(1, groups[1].GetProperty("channels")[0].GetProperty("weight").GetInt32());
        JsonElement queue = doc.RootElement.GetProperty("queue");
        Assert.Equal(
            (3, 10, 20L, 4L, 5L),
            (queue.GetProperty("waiting").GetInt32(), queue.GetProperty("limit").GetInt32(), queue.GetProperty("served").GetInt64(),
             queue.GetProperty("timedOut").GetInt64(), queue.GetProperty("turnedAway").GetInt64()));

        using JsonDocument without = JsonDocument.Parse(ShowJsonFormatter.Format(rows, 1));
        Assert.False(without.RootElement.TryGetProperty("queue", out _));
    }

    [Fact]
    public void Empty_table_has_no_groups()
    {
        using JsonDocument doc = JsonDocument.Parse(ShowJsonFormatter.Format(Array.Empty<ChannelStatus>(), 1));
        Assert.Equal(0, doc.RootElement.GetProperty("groups").GetArrayLength());
    }
}
