using System.Net;
using System.Net.Sockets;

namespace Balance.Routing;

/// <summary>
/// Hash of a client's IP address (never its port), so that one client always
/// lands on the same channel of a hash group. IPv4 clients seen through a
/// dual-stack listener hash as their IPv4 address.
/// </summary>
internal static class ClientHash
{
    public static uint Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        return Of(bytes[..length]);
    }

    /// <summary>Hash of raw address bytes: 4 for IPv4 (mapped addresses already unwrapped), 16 for IPv6.</summary>
    public static uint Of(ReadOnlySpan<byte> addressBytes) => Fnv1a(addressBytes);

    /// <summary>FNV-1a: cheap, and its low bits follow every input byte, so neighbouring addresses spread.</summary>
    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        uint hash = 2166136261;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }

    public static IPAddress Normalize(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6
            ? address.MapToIPv4()
            : address;
}
