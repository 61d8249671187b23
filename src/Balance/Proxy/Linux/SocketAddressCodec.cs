using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Balance.Native;

namespace Balance.Proxy.Linux;

/// <summary>IP end points to and from the kernel's sockaddr_in / sockaddr_in6 bytes.</summary>
internal static class SocketAddressCodec
{
    public const int MaxLength = 28;

    /// <summary>Writes the sockaddr for <paramref name="address"/> and <paramref name="port"/> and returns its length.</summary>
    public static int Write(IPAddress address, int port, Span<byte> destination)
    {
        destination[..MaxLength].Clear();
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)(v6 ? Libc.AF_INET6 : Libc.AF_INET));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)port);
        if (v6)
        {
            address.TryWriteBytes(destination.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)address.ScopeId);
            return 28;
        }

        address.TryWriteBytes(destination.Slice(4, 4), out _);
        return 16;
    }

    /// <summary>The address bytes of a sockaddr (4 for IPv4, 16 for IPv6), IPv4-mapped IPv6 as IPv4.</summary>
    public static ReadOnlySpan<byte> AddressBytes(ReadOnlySpan<byte> sockaddr)
    {
        ushort family = BinaryPrimitives.ReadUInt16LittleEndian(sockaddr);
        if (family == Libc.AF_INET)
        {
            return sockaddr.Slice(4, 4);
        }

        ReadOnlySpan<byte> v6 = sockaddr.Slice(8, 16);
        bool mapped = v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xFF && v6[11] == 0xFF;
        return mapped ? v6[12..] : v6;
    }

    /// <summary>The port of a sockaddr_in / sockaddr_in6.</summary>
    public static int Port(ReadOnlySpan<byte> sockaddr) => BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);

    public static IPAddress Address(ReadOnlySpan<byte> sockaddr) => new(AddressBytes(sockaddr));
}
