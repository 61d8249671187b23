using System.Buffers.Text;

namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// The PROXY protocol version 1 header, the human-readable line:
/// <c>PROXY TCP4 192.0.2.1 198.51.100.2 51234 80\r\n</c>, or
/// <c>PROXY UNKNOWN\r\n</c> when the family is not known. Never longer than
/// <see cref="MaxLength"/> bytes, as the specification promises receivers.
/// </summary>
internal static class ProxyV1Encoder
{
    /// <summary>The longest v1 header, CRLF included (two full IPv6 addresses and ports).</summary>
    public const int MaxLength = 107;

    /// <summary>Writes the header into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes) and returns its length.</summary>
    public static int Write(in ProxyAddresses addresses, Span<byte> destination)
    {
        int at = Append(destination, "PROXY "u8);
        if (addresses.Family == ProxyFamily.Unknown)
        {
            at += Append(destination[at..], "UNKNOWN\r\n"u8);
            return at;
        }

        at += Append(destination[at..], addresses.Family == ProxyFamily.IPv4 ? "TCP4 "u8 : "TCP6 "u8);
        at += AddressText.Write(addresses.SourceBytes, destination[at..]);
        destination[at++] = (byte)' ';
        at += AddressText.Write(addresses.DestinationBytes, destination[at..]);
        destination[at++] = (byte)' ';
        Utf8Formatter.TryFormat(addresses.SourcePort, destination[at..], out int written);
        at += written;
        destination[at++] = (byte)' ';
        Utf8Formatter.TryFormat(addresses.DestinationPort, destination[at..], out written);
        at += written;
        at += Append(destination[at..], "\r\n"u8);
        return at;
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}
