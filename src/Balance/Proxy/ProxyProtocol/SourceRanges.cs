using System.Net;
using System.Net.Sockets;

namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// The networks a PROXY header is taken from (--accept-proxy-from): a list of
/// CIDR ranges. IPv4 clients on a dual-stack listener are matched as IPv4.
/// </summary>
internal sealed class SourceRanges
{
    private readonly (byte[] Network, int PrefixLength)[] _ranges;

    private SourceRanges((byte[] Network, int PrefixLength)[] ranges) => _ranges = ranges;

    /// <summary>Loopback only: without --accept-proxy-from only a balancer on this host may say who the client is.</summary>
    public static SourceRanges Loopback { get; } = Parse("127.0.0.0/8,::1/128")!;

    /// <summary>Parses <c>CIDR[,CIDR...]</c> (a bare address is a single host); null when any part is not valid.</summary>
    public static SourceRanges? Parse(string text)
    {
        var ranges = new List<(byte[], int)>();
        foreach (string part in text.Split(','))
        {
            string item = part.Trim();
            int slash = item.IndexOf('/');
            string addressText = slash < 0 ? item : item[..slash];
            if (!IPAddress.TryParse(addressText, out IPAddress? address) || addressText.Contains('%'))
            {
                return null;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            byte[] bytes = address.GetAddressBytes();
            int prefix = bytes.Length * 8;
            if (slash >= 0 && (!int.TryParse(item[(slash + 1)..], System.Globalization.NumberStyles.None, null, out prefix) || prefix > bytes.Length * 8))
            {
                return null;
            }

            ranges.Add((bytes, prefix));
        }

        return ranges.Count == 0 ? null : new SourceRanges(ranges.ToArray());
    }

    /// <summary>True when <paramref name="address"/> (4 or 16 bytes, IPv4-mapped already unwrapped) is in a range.</summary>
    public bool Contains(ReadOnlySpan<byte> address)
    {
        foreach ((byte[] network, int prefixLength) in _ranges)
        {
            if (network.Length == address.Length && Matches(network, address, prefixLength))
            {
                return true;
            }
        }

        return false;
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        return Contains(bytes[..length]);
    }

    private static bool Matches(ReadOnlySpan<byte> network, ReadOnlySpan<byte> address, int prefixLength)
    {
        int whole = prefixLength / 8;
        if (!network[..whole].SequenceEqual(address[..whole]))
        {
            return false;
        }

        int rest = prefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        int mask = 0xFF << (8 - rest) & 0xFF;
        return (network[whole] & mask) == (address[whole] & mask);
    }
}
