using System.Net;
using Balance.Control;
using Balance.Routing;

namespace Balance.Tests.Control;

public class ShowFormatterTests
{
    private static ChannelStatus Row(string address, int port, int group = 0, int index = 0, GroupType? type = null,
        bool enabled = true, long c = 0, long totalc = 0, int maxc = 0, long sent = 0, long rcvd = 0) =>
        new(group, type ?? GroupType.RoundRobin, index, enabled, new IPEndPoint(IPAddress.Parse(address), port), c, totalc, maxc, sent, rcvd);

    [Fact]
    public void Header_is_the_original_printf_line()
    {
        // "%3s %4s %2s %3s %16s %5s %4s %11s %4s %11s %11s\n"
        string expected = string.Join(' ',
            "GRP".PadLeft(3), "Type".PadLeft(4), "#".PadLeft(2), "S".PadLeft(3), "ip-address".PadLeft(16), "port".PadLeft(5),
            "c".PadLeft(4), "totalc".PadLeft(11), "maxc".PadLeft(4), "sent".PadLeft(11), "rcvd".PadLeft(11)) + "\n";
        Assert.Equal(ShowFormatter.Header, expected);
        Assert.Equal("GRP Type  #   S       ip-address  port    c      totalc maxc        sent        rcvd\n", ShowFormatter.Header);
    }

    [Fact]
    public void Rows_follow_the_original_printf_widths()
    {
        string text = ShowFormatter.Table(new[]
        {
            Row("127.1.1.1", 8000, c: 3, totalc: 12345, maxc: 16, sent: 1234567890123, rcvd: 42),
            Row("203.0.113.200", 25, group: 1, index: 12, type: GroupType.Hash, enabled: false),
        });

        Assert.Equal(
            ShowFormatter.Header +
            "  0   RR  0 ENA        127.1.1.1  8000    3       12345   16 1234567890123          42\n" +
            "  1 Hash 12 dis    203.0.113.200    25    0           0    0           0           0\n",
            text);
    }

    [Fact]
    public void Least_connections_groups_show_LC_right_aligned_and_weights_change_nothing()
    {
        ChannelStatus weighted = Row("127.0.0.1", 80, group: 2, type: GroupType.LeastConnections) with { Weight = 9 };
        Assert.Equal(
            ShowFormatter.Header +
            "  2   LC  0 ENA        127.0.0.1    80    0           0    0           0           0\n",
            ShowFormatter.Table(new[] { weighted }));
        Assert.Equal(ShowFormatter.Table(new[] { Row("127.0.0.1", 80) }), ShowFormatter.Table(new[] { Row("127.0.0.1", 80) with { Weight = 1000 } }));
    }

    [Fact]
    public void Long_ipv6_address_widens_only_its_own_row()
    {
        string text = ShowFormatter.Table(new[]
        {
            Row("127.0.0.1", 80),
            Row("2001:db8:1234:5678::abcd", 80, index: 1),
            Row("::1", 81, index: 2),
        });

        string[] lines = text.Split('\n');
        Assert.Equal("  0   RR  0 ENA        127.0.0.1    80    0           0    0           0           0", lines[1]);
        Assert.Equal("  0   RR  1 ENA 2001:db8:1234:5678::abcd    80    0           0    0           0           0", lines[2]);
        Assert.Equal("  0   RR  2 ENA              ::1    81    0           0    0           0           0", lines[3]);
    }

    [Fact]
    public void Ipv4_mapped_addresses_show_as_ipv4()
    {
        string text = ShowFormatter.Table(new[] { Row("::ffff:192.0.2.7", 80) });
        Assert.Contains("        192.0.2.7    80", text);
        Assert.DoesNotContain("ffff", text);
    }

    [Fact]
    public void Empty_table_is_the_header_alone()
    {
        Assert.Equal(ShowFormatter.Header, ShowFormatter.Table(Array.Empty<ChannelStatus>()));
    }

    [Fact]
    public void Mrtg_bytes_and_conns_are_four_lines()
    {
        ChannelStatus row = Row("127.0.0.1", 80, group: 2, index: 1, totalc: 7, sent: 100, rcvd: 2000);
        Assert.Equal("2000\n100\nUNKNOWN\ngroup 2 channel 1\n", MrtgFormatter.Bytes(row));
        Assert.Equal("7\nUNKNOWN\nUNKNOWN\ngroup 2 channel 1\n", MrtgFormatter.Connections(row));
    }
}
