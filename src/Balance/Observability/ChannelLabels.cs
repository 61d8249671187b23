using System.Globalization;
using System.Net;
using Balance.Routing;

namespace Balance.Observability;

/// <summary>
/// The labels of a channel's samples, <c>group="0",channel="1",address="10.0.0.1:80"</c>,
/// made once per channel and address and kept: a scrape does not format them
/// again for every family. Used under the exporter's lock.
/// </summary>
internal sealed class ChannelLabels
{
    private readonly Entry?[]?[] _groups = new Entry?[]?[Limits.MaxGroups];

    private sealed record Entry(IPEndPoint EndPoint, byte[] Labels);

    public ReadOnlySpan<byte> For(in ChannelStatus row)
    {
        Entry?[] channels = _groups[row.Group] ??= new Entry?[Limits.MaxChannels];
        Entry? entry = channels[row.Index];
        if (entry is null || !ReferenceEquals(entry.EndPoint, row.EndPoint))
        {
            // New, or given another address by assign: its series now carry that address.
            entry = new Entry(row.EndPoint, Format(row));
            channels[row.Index] = entry;
        }

        return entry.Labels;
    }

    public static byte[] Format(ChannelStatus row)
    {
        using var buffer = new PooledBufferWriter(256);
        ExpositionWriter.Label(buffer, "group", row.Group.ToString(CultureInfo.InvariantCulture));
        buffer.GetSpan(1)[0] = (byte)',';
        buffer.Advance(1);
        ExpositionWriter.Label(buffer, "channel", row.Index.ToString(CultureInfo.InvariantCulture));
        buffer.GetSpan(1)[0] = (byte)',';
        buffer.Advance(1);
        ExpositionWriter.Label(buffer, "address", AddressLabel(row));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>host:port</c>, an IPv6 address in brackets; IPv4 seen through IPv6 as IPv4, as <c>show</c> prints it.</summary>
    public static string AddressLabel(ChannelStatus row) =>
        new IPEndPoint(ClientHash.Normalize(row.EndPoint.Address), row.EndPoint.Port).ToString();
}
