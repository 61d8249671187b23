using System.Buffers.Binary;

namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// The PROXY protocol version 2 header, binary: the 12-byte signature,
/// version 2 with the PROXY command (0x21), the family and transport (0x11
/// TCP over IPv4, 0x21 TCP over IPv6), the length of what follows, then the
/// addresses and ports in network order. No TLVs. A connection whose family
/// is not known gets the LOCAL command with no addresses.
/// </summary>
internal static class ProxyV2Encoder
{
    /// <summary>The fixed part: signature, version/command, family, length.</summary>
    public const int FixedLength = 16;

    /// <summary>The longest header this writes: TCP over IPv6.</summary>
    public const int MaxLength = FixedLength + 36;

    public static ReadOnlySpan<byte> Signature => "\r\n\r\n\0\r\nQUIT\n"u8;

    public const byte VersionProxy = 0x21;
    public const byte VersionLocal = 0x20;
    public const byte TcpOverIPv4 = 0x11;
    public const byte TcpOverIPv6 = 0x21;

    /// <summary>Writes the header into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes) and returns its length.</summary>
    public static int Write(in ProxyAddresses addresses, Span<byte> destination)
    {
        Signature.CopyTo(destination);
        if (addresses.Family == ProxyFamily.Unknown)
        {
            destination[12] = VersionLocal;
            destination[13] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[14..], 0);
            return FixedLength;
        }

        int addressLength = addresses.AddressLength;
        int payload = (2 * addressLength) + 4;
        destination[12] = VersionProxy;
        destination[13] = addresses.Family == ProxyFamily.IPv4 ? TcpOverIPv4 : TcpOverIPv6;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)payload);
        Span<byte> body = destination[FixedLength..];
        addresses.SourceBytes.CopyTo(body);
        addresses.DestinationBytes.CopyTo(body[addressLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(body[(2 * addressLength)..], addresses.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(body[((2 * addressLength) + 2)..], addresses.DestinationPort);
        return FixedLength + payload;
    }
}
