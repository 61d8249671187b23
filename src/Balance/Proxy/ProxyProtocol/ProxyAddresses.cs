using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Balance.Proxy.ProxyProtocol;

/// <summary>The address family a PROXY header speaks of.</summary>
internal enum ProxyFamily : byte
{
    /// <summary>Not known (v1 UNKNOWN, v2 LOCAL or AF_UNSPEC): the connection's own addresses apply.</summary>
    Unknown,
    IPv4,
    IPv6,
}

/// <summary>Room for one IPv4 or IPv6 address, inside the struct, so carrying addresses allocates nothing.</summary>
[InlineArray(16)]
internal struct AddressBytes
{
    private byte _first;
}

/// <summary>
/// A connection's client (source) and the address it connected to
/// (destination), as a PROXY header carries them. A plain value: the epoll
/// engine keeps one in each pooled pair.
/// </summary>
internal struct ProxyAddresses
{
    public ProxyFamily Family;
    public AddressBytes Source;
    public AddressBytes Destination;
    public ushort SourcePort;
    public ushort DestinationPort;

    public readonly int AddressLength => Family == ProxyFamily.IPv4 ? 4 : Family == ProxyFamily.IPv6 ? 16 : 0;

    /// <summary>The client's address bytes (4 or 16), what hash groups hash.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> SourceBytes => ((ReadOnlySpan<byte>)Source)[..AddressLength];

    /// <summary>The client's address as hash groups see it: an IPv4-mapped IPv6 address as its 4 IPv4 bytes.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ClientHashBytes
    {
        get
        {
            ReadOnlySpan<byte> source = SourceBytes;
            bool mapped = source.Length == 16 && source[..10].IndexOfAnyExcept((byte)0) < 0 && source[10] == 0xFF && source[11] == 0xFF;
            return mapped ? source[12..] : source;
        }
    }

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> DestinationBytes => ((ReadOnlySpan<byte>)Destination)[..AddressLength];

    /// <summary>
    /// From the kernel's sockaddr_in / sockaddr_in6 bytes of both ends. An
    /// IPv4 client on a dual-stack listener (both ends IPv4-mapped) is TCP4,
    /// as HAProxy reports it.
    /// </summary>
    public static ProxyAddresses FromSockaddrs(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination)
    {
        var result = default(ProxyAddresses);
        bool v4 = IsIPv4(source, out ReadOnlySpan<byte> sourceAddress) & IsIPv4(destination, out ReadOnlySpan<byte> destinationAddress);
        result.Family = v4 ? ProxyFamily.IPv4 : ProxyFamily.IPv6;
        WriteAddress(sourceAddress, v4, result.Source);
        WriteAddress(destinationAddress, v4, result.Destination);
        result.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        result.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(destination[2..]);
        return result;
    }

    /// <summary>From .NET end points (the sockets engine); the same rule for IPv4-mapped addresses.</summary>
    public static ProxyAddresses FromEndPoints(IPEndPoint source, IPEndPoint destination)
    {
        IPAddress from = Normalize(source.Address);
        IPAddress to = Normalize(destination.Address);
        bool v4 = from.AddressFamily == AddressFamily.InterNetwork && to.AddressFamily == AddressFamily.InterNetwork;
        if (!v4)
        {
            from = from.MapToIPv6();
            to = to.MapToIPv6();
        }

        var result = new ProxyAddresses
        {
            Family = v4 ? ProxyFamily.IPv4 : ProxyFamily.IPv6,
            SourcePort = (ushort)source.Port,
            DestinationPort = (ushort)destination.Port,
        };
        from.TryWriteBytes(result.Source, out _);
        to.TryWriteBytes(result.Destination, out _);
        return result;
    }

    public readonly IPEndPoint SourceEndPoint() => new(new IPAddress(((ReadOnlySpan<byte>)Source)[..AddressLength]), SourcePort);

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>True for AF_INET and for an IPv4-mapped AF_INET6 address; <paramref name="address"/> gets the 4 or 16 bytes.</summary>
    private static bool IsIPv4(ReadOnlySpan<byte> sockaddr, out ReadOnlySpan<byte> address)
    {
        if (BinaryPrimitives.ReadUInt16LittleEndian(sockaddr) == (ushort)AddressFamily.InterNetwork)
        {
            address = sockaddr.Slice(4, 4);
            return true;
        }

        address = sockaddr.Slice(8, 16);
        bool mapped = address[..10].IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xFF && address[11] == 0xFF;
        if (mapped)
        {
            address = address[12..];
        }

        return mapped;
    }

    /// <summary>4 bytes as they are for TCP4; for TCP6 an IPv4 address is written IPv4-mapped.</summary>
    private static void WriteAddress(ReadOnlySpan<byte> address, bool v4, Span<byte> destination)
    {
        if (v4 || address.Length == 16)
        {
            address.CopyTo(destination);
            return;
        }

        destination[..10].Clear();
        destination[10] = 0xFF;
        destination[11] = 0xFF;
        address.CopyTo(destination[12..]);
    }
}
