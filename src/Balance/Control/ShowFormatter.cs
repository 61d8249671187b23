using System.Globalization;
using System.Text;
using Balance.Routing;

namespace Balance.Control;

/// <summary>
/// The <c>show</c> table with the original's printf widths. Widths are
/// minimums, as in C: a long IPv6 address widens its own row only.
/// </summary>
internal static class ShowFormatter
{
    // "%3s %4s %2s %3s %16s %5s %4s %11s %4s %11s %11s\n"
    public const string Header =
        "GRP Type  #   S       ip-address  port    c      totalc maxc        sent        rcvd\n";

    public static string Table(IEnumerable<ChannelStatus> rows)
    {
        var text = new StringBuilder(Header);
        foreach (ChannelStatus row in rows)
        {
            AppendRow(text, row);
        }

        return text.ToString();
    }

    // "%3d %4s %2d %3s %16s %5d %4d %11u %4d %11llu %11llu\n"
    private static void AppendRow(StringBuilder text, ChannelStatus row) =>
        text.Append(CultureInfo.InvariantCulture,
            $"{row.Group,3} {TypeName(row.Type),4} {row.Index,2} {StateText(row),3} {AddressText(row),16} {row.EndPoint.Port,5} {row.Connections,4} {row.TotalConnections,11} {row.MaxConnections,4} {row.BytesSent,11} {row.BytesReceived,11}\n");

    public static string TypeName(GroupType type) => type.ShowName;

    /// <summary>
    /// ENA or dis as the original printed; DWN for an enabled channel that
    /// health checks found down (only with --check: without it no channel is
    /// ever down). The operator's dis wins over a verdict.
    /// </summary>
    public static string StateText(ChannelStatus row) =>
        !row.Enabled ? "dis" : row.Health == ChannelHealth.Down ? "DWN" : "ENA";

    /// <summary>IPv4 addresses seen through IPv6 are shown as IPv4, as everywhere else.</summary>
    public static string AddressText(ChannelStatus row) => ClientHash.Normalize(row.EndPoint.Address).ToString();
}
