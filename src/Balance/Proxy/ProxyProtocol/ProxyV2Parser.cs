using System.Buffers.Binary;

namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// The v2 binary header: signature, version 2 with LOCAL (0x20) or PROXY
/// (0x21), the family byte, a 16-bit length, the addresses, then TLVs that
/// are skipped (they lie within the length). LOCAL and AF_UNSPEC mean the
/// connection's own addresses; TCP over IPv4 or IPv6 gives the client's;
/// anything else (UDP, unix sockets, another version) is refused.
/// </summary>
internal static class ProxyV2Parser
{
    private const int AddressesIPv4 = 12;
    private const int AddressesIPv6 = 36;

    public static ProxyParseStatus Parse(ReadOnlySpan<byte> received, out ProxyHeader header)
    {
        header = default;
        const int fixedLength = ProxyV2Encoder.FixedLength;
        if (!ProxyHeaderParser.StartsLike(received, ProxyV2Encoder.Signature))
        {
            return ProxyParseStatus.NotProxy;
        }

        if (received.Length > 12 && received[12] is not (ProxyV2Encoder.VersionProxy or ProxyV2Encoder.VersionLocal))
        {
            return ProxyParseStatus.Malformed;
        }

        if (received.Length < fixedLength)
        {
            return ProxyParseStatus.Incomplete;
        }

        int total = fixedLength + BinaryPrimitives.ReadUInt16BigEndian(received[14..]);
        if (total > ProxyHeaderParser.MaxLength)
        {
            return ProxyParseStatus.TooLong;
        }

        bool local = received[12] == ProxyV2Encoder.VersionLocal;
        byte family = received[13];
        int needed = local ? 0 : family switch
        {
            ProxyV2Encoder.TcpOverIPv4 => AddressesIPv4,
            ProxyV2Encoder.TcpOverIPv6 => AddressesIPv6,
            0x00 => 0,
            _ => -1,
        };
        if (needed < 0 || total - fixedLength < needed)
        {
            return ProxyParseStatus.Malformed;
        }

        if (received.Length < total)
        {
            return ProxyParseStatus.Incomplete;
        }

        header.Length = total;
        header.Version = 2;
        if (needed > 0)
        {
            ReadAddresses(received.Slice(fixedLength, needed), needed == AddressesIPv4 ? 4 : 16, ref header.Addresses);
        }

        return ProxyParseStatus.Complete;
    }

    private static void ReadAddresses(ReadOnlySpan<byte> block, int size, ref ProxyAddresses addresses)
    {
        addresses.Family = size == 4 ? ProxyFamily.IPv4 : ProxyFamily.IPv6;
        block[..size].CopyTo(addresses.Source);
        block.Slice(size, size).CopyTo(addresses.Destination);
        addresses.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(block[(2 * size)..]);
        addresses.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(block[((2 * size) + 2)..]);
    }
}
