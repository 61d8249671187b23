using System.Globalization;
using System.Net;
using System.Text;

namespace Balance.ConnectionLog;

/// <summary>
/// The text line: space-separated <c>key=value</c> fields in a fixed order,
/// no value ever containing a space, so <c>grep</c>, <c>awk</c> and a split on
/// spaces and the first '=' read it:
/// <c>time=2026-01-02T03:04:05.678Z client=192.0.2.7:51234 group=0 channel=1
/// backend=10.0.0.2:80 connect_ms=1 duration_ms=2042 sent=512 rcvd=10240
/// end=client-closed</c>. IPv6 addresses are bracketed; fields that do not
/// apply (no channel took the client) are <c>-</c>.
/// </summary>
internal sealed class ConnectionLogText : IConnectionLineFormat
{
    public string Format(in ConnectionRecord record)
    {
        var line = new StringBuilder(192);
        line.Append("time=").Append(TimeText(record.Start));
        line.Append(" client=").Append(EndPointText(new IPAddress(record.ClientBytes), record.ClientPort));
        bool connected = record.Backend is not null;
        line.Append(" group=").Append(connected ? record.Group.ToString(CultureInfo.InvariantCulture) : "-");
        line.Append(" channel=").Append(connected ? record.Channel.ToString(CultureInfo.InvariantCulture) : "-");
        line.Append(" backend=").Append(connected ? EndPointText(record.Backend!.Address, record.Backend.Port) : "-");
        line.Append(" connect_ms=").Append(record.ConnectMs >= 0 ? record.ConnectMs.ToString(CultureInfo.InvariantCulture) : "-");
        line.Append(" duration_ms=").Append(record.DurationMs.ToString(CultureInfo.InvariantCulture));
        line.Append(" sent=").Append(record.Sent.ToString(CultureInfo.InvariantCulture));
        line.Append(" rcvd=").Append(record.Received.ToString(CultureInfo.InvariantCulture));
        line.Append(" end=").Append(EndReasonNames.Of(record.Reason));
        return line.ToString();
    }

    /// <summary>UTC, ISO 8601 with milliseconds: <c>2026-01-02T03:04:05.678Z</c>.</summary>
    internal static string TimeText(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>a.b.c.d:port</c>, <c>[v6]:port</c>; IPv4-mapped addresses as IPv4.</summary>
    internal static string EndPointText(IPAddress address, int port)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{address}:{port.ToString(CultureInfo.InvariantCulture)}";
    }
}
