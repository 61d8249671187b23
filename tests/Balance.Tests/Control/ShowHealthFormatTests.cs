using System.Net;
using System.Text.Json;
using Balance.Control;
using Balance.Routing;

namespace Balance.Tests.Control;

/// <summary>
/// What health checks add to <c>show</c> and <c>show json</c>: DWN in the S
/// column and a health object, only for what checks found; without checks both
/// outputs are the original's, byte for byte.
/// </summary>
public sealed class ShowHealthFormatTests
{
    private static ChannelStatus Row(bool enabled, ChannelHealth health, HealthDetails? checks = null, int index = 0) =>
        new(0, GroupType.RoundRobin, index, enabled, new IPEndPoint(IPAddress.Parse("127.1.1.2"), 80), 0, 7, 0, 10, 20, health, checks);

    [Fact]
    public void An_enabled_channel_found_down_shows_DWN_in_the_S_column()
    {
        string text = ShowFormatter.Table([Row(true, ChannelHealth.Down), Row(true, ChannelHealth.Up, index: 1), Row(true, ChannelHealth.Unknown, index: 2)]);
        Assert.Equal(
            ShowFormatter.Header +
            "  0   RR  0 DWN        127.1.1.2    80    0           7    0          10          20\n" +
            "  0   RR  1 ENA        127.1.1.2    80    0           7    0          10          20\n" +
            "  0   RR  2 ENA        127.1.1.2    80    0           7    0          10          20\n",
            text);
    }

    [Fact]
    public void A_disabled_channel_shows_dis_whatever_its_health() =>
        Assert.Equal("dis", ShowFormatter.StateText(Row(false, ChannelHealth.Down)));

    [Fact]
    public void Without_checks_the_json_has_no_health_object()
    {
        string plain = ShowJsonFormatter.Format([new(0, GroupType.RoundRobin, 0, true, new IPEndPoint(IPAddress.Parse("127.1.1.2"), 80), 0, 7, 0, 10, 20)], pid: 5);
        Assert.Equal(
            """{"version":"3.60","pid":5,"groups":[{"group":0,"type":"rr","channels":[{"channel":0,"enabled":true,"address":"127.1.1.2","port":80,"connections":0,"totalConnections":7,"maxConnections":0,"bytesSent":10,"bytesReceived":20,"weight":1}]}]}""" + "\n",
            plain.Replace(Balance.Version.Text, "3.60", StringComparison.Ordinal));
    }

    [Fact]
    public void With_checks_each_channel_has_a_health_object()
    {
        var changed = new DateTimeOffset(2026, 11, 29, 10, 11, 12, 345, TimeSpan.Zero);
        string text = ShowJsonFormatter.Format(
            [
                Row(true, ChannelHealth.Down, new HealthDetails(0, 3, "connection refused", 0.1234, changed)),
                Row(false, ChannelHealth.Unknown, new HealthDetails(0, 0, null, null, null), index: 1),
            ],
            pid: 5);

        using JsonDocument doc = JsonDocument.Parse(text);
        JsonElement[] channels = doc.RootElement.GetProperty("groups")[0].GetProperty("channels").EnumerateArray().ToArray();
        Assert.Equal(
            """{"state":"down","successes":0,"failures":3,"lastCheck":"connection refused","lastCheckMs":0.123,"lastChange":"2026-11-29T10:11:12.345Z"}""",
            channels[0].GetProperty("health").GetRawText());
        Assert.Equal(
            """{"state":"unknown","successes":0,"failures":0,"lastCheck":null,"lastCheckMs":null,"lastChange":null}""",
            channels[1].GetProperty("health").GetRawText());
        Assert.True(channels[0].GetProperty("enabled").GetBoolean());
    }
}
