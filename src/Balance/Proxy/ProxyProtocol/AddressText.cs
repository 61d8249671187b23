using System.Buffers.Binary;
using System.Buffers.Text;

namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// IP addresses as ASCII text into a byte span without allocating: dotted
/// decimal for IPv4, RFC 5952 for IPv6 (lower-case hex, no leading zeros, the
/// longest run of two or more zero groups, the first on a tie, as "::"),
/// which is what inet_ntop and so HAProxy write.
/// </summary>
internal static class AddressText
{
    /// <summary>Writes the address and returns the bytes written (at most 39).</summary>
    public static int Write(ReadOnlySpan<byte> address, Span<byte> destination) =>
        address.Length == 4 ? WriteIPv4(address, destination) : WriteIPv6(address, destination);

    private static int WriteIPv4(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        int at = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)'.';
            }

            Utf8Formatter.TryFormat(address[i], destination[at..], out int written);
            at += written;
        }

        return at;
    }

    private static int WriteIPv6(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = BinaryPrimitives.ReadUInt16BigEndian(address[(2 * i)..]);
        }

        (int zeroStart, int zeroLength) = LongestZeroRun(groups);
        int at = 0;
        for (int i = 0; i < 8; i++)
        {
            if (i == zeroStart)
            {
                destination[at++] = (byte)':';
                destination[at++] = (byte)':';
                i += zeroLength - 1;
                continue;
            }

            if (i > 0 && i != zeroStart + zeroLength)
            {
                destination[at++] = (byte)':';
            }

            Utf8Formatter.TryFormat(groups[i], destination[at..], out int written, new System.Buffers.StandardFormat('x'));
            at += written;
        }

        return at;
    }

    private static (int Start, int Length) LongestZeroRun(ReadOnlySpan<ushort> groups)
    {
        int bestStart = -1, bestLength = 0;
        for (int i = 0; i < groups.Length;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            int start = i;
            while (i < groups.Length && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        return bestLength >= 2 ? (bestStart, bestLength) : (-1, 0);
    }
}
