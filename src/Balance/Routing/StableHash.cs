using System.Buffers.Binary;
using System.Net;

namespace Balance.Routing;

/// <summary>
/// Hashes that are the same in every process, on every machine and in every
/// version (string.GetHashCode is randomized per process): several balance
/// instances given the same channels build the same hash table and so send
/// each client to the same backend without talking to each other.
/// </summary>
internal static class StableHash
{
    /// <summary>A channel by its address and port (an IPv4-mapped address as IPv4), and which of equal ones it is.</summary>
    public static ulong OfChannel(IPEndPoint endPoint, int occurrence)
    {
        Span<byte> bytes = stackalloc byte[16 + 2 + 4];
        ClientHash.Normalize(endPoint.Address).TryWriteBytes(bytes, out int length);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[length..], (ushort)endPoint.Port);
        BinaryPrimitives.WriteInt32BigEndian(bytes[(length + 2)..], occurrence);
        return Mix(Fnv1a64(bytes[..(length + 6)]));
    }

    /// <summary>FNV-1a, 64 bits: every byte counts.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 1099511628211;
        }

        return hash;
    }

    /// <summary>The splitmix64 finalizer: each input bit flips about half the output bits.</summary>
    public static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }
}
