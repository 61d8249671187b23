using System.Net;
using System.Net.Sockets;

namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// The v1 line: <c>PROXY TCP4|TCP6 src dst sport dport\r\n</c> or
/// <c>PROXY UNKNOWN ...\r\n</c>, at most 107 bytes. Strict: single spaces,
/// addresses of the named family, ports 0 to 65535 without leading zeros.
/// </summary>
internal static class ProxyV1Parser
{
    private static ReadOnlySpan<byte> Prefix => "PROXY "u8;

    public static ProxyParseStatus Parse(ReadOnlySpan<byte> received, out ProxyHeader header)
    {
        header = default;
        if (!ProxyHeaderParser.StartsLike(received, Prefix))
        {
            return ProxyParseStatus.NotProxy;
        }

        ReadOnlySpan<byte> window = received[..Math.Min(received.Length, ProxyV1Encoder.MaxLength)];
        int lineFeed = window.IndexOf((byte)'\n');
        if (lineFeed < 0)
        {
            return received.Length >= ProxyV1Encoder.MaxLength ? ProxyParseStatus.TooLong : ProxyParseStatus.Incomplete;
        }

        if (lineFeed < Prefix.Length + 1 || window[lineFeed - 1] != (byte)'\r')
        {
            return ProxyParseStatus.Malformed;
        }

        ReadOnlySpan<byte> line = window[Prefix.Length..(lineFeed - 1)];
        header.Length = lineFeed + 1;
        header.Version = 1;
        if (line.StartsWith("UNKNOWN"u8) && (line.Length == 7 || line[7] == (byte)' '))
        {
            return ProxyParseStatus.Complete; // the rest of an UNKNOWN line is ignored, as the specification says
        }

        return ParseAddresses(line, ref header.Addresses) ? ProxyParseStatus.Complete : ProxyParseStatus.Malformed;
    }

    private static bool ParseAddresses(ReadOnlySpan<byte> line, ref ProxyAddresses addresses)
    {
        Span<Range> fields = stackalloc Range[6];
        if (Split(line, (byte)' ', fields) != 5)
        {
            return false;
        }

        ReadOnlySpan<byte> protocol = line[fields[0]];
        ProxyFamily family = protocol.SequenceEqual("TCP4"u8) ? ProxyFamily.IPv4
            : protocol.SequenceEqual("TCP6"u8) ? ProxyFamily.IPv6
            : ProxyFamily.Unknown;
        addresses.Family = family;
        return family != ProxyFamily.Unknown
            && TryAddress(line[fields[1]], family, addresses.Source)
            && TryAddress(line[fields[2]], family, addresses.Destination)
            && TryPort(line[fields[3]], out addresses.SourcePort)
            && TryPort(line[fields[4]], out addresses.DestinationPort);
    }

    private static bool TryAddress(ReadOnlySpan<byte> text, ProxyFamily family, Span<byte> destination) =>
        family == ProxyFamily.IPv4 ? TryIPv4(text, destination) : TryIPv6(text, destination);

    /// <summary>Four decimal parts 0 to 255 without leading zeros (which other parsers read as octal).</summary>
    private static bool TryIPv4(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        Span<Range> parts = stackalloc Range[5];
        if (Split(text, (byte)'.', parts) != 4)
        {
            return false;
        }

        for (int i = 0; i < 4; i++)
        {
            if (!TryNumber(text[parts[i]], 3, out int value) || value > 255)
            {
                return false;
            }

            destination[i] = (byte)value;
        }

        return true;
    }

    private static bool TryIPv6(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        // Hex, colons and dots only: no zone (%eth0), brackets or spaces that a lenient parser would take.
        if (text.Length is < 2 or > 45 || text.IndexOf((byte)':') < 0 || text.IndexOfAnyExcept("0123456789abcdefABCDEF.:"u8) >= 0)
        {
            return false;
        }

        Span<char> chars = stackalloc char[45];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        return IPAddress.TryParse(chars[..text.Length], out IPAddress? address)
            && address.AddressFamily == AddressFamily.InterNetworkV6
            && address.TryWriteBytes(destination, out _);
    }

    private static bool TryPort(ReadOnlySpan<byte> text, out ushort port)
    {
        bool ok = TryNumber(text, 5, out int value) && value <= ushort.MaxValue;
        port = ok ? (ushort)value : (ushort)0;
        return ok;
    }

    /// <summary>1 to <paramref name="maxDigits"/> decimal digits, no leading zero.</summary>
    private static bool TryNumber(ReadOnlySpan<byte> text, int maxDigits, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > maxDigits || (text.Length > 1 && text[0] == (byte)'0') || text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return false;
        }

        foreach (byte digit in text)
        {
            value = (value * 10) + (digit - '0');
        }

        return true;
    }

    /// <summary>Splits at each <paramref name="separator"/> into <paramref name="fields"/>; the count, or one more than fits when there are too many.</summary>
    private static int Split(ReadOnlySpan<byte> text, byte separator, Span<Range> fields)
    {
        int count = 0, start = 0;
        while (true)
        {
            int next = text[start..].IndexOf(separator);
            int end = next < 0 ? text.Length : start + next;
            if (count == fields.Length)
            {
                return count + 1;
            }

            fields[count++] = start..end;
            if (next < 0)
            {
                return count;
            }

            start = end + 1;
        }
    }
}
