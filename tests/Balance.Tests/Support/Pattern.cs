using System.Security.Cryptography;

namespace Balance.Tests.Support;

/// <summary>
/// A deterministic byte stream for bulk tests: random bytes repeating with a
/// prime period, so a lost, repeated or reordered relay chunk changes the
/// checksum. Byte i of the stream is <c>Block[i % Period]</c>.
/// </summary>
internal static class Pattern
{
    public const int Period = 1_000_003;

    /// <summary>The period twice over, so any slice of up to <see cref="Period"/> bytes is contiguous.</summary>
    private static readonly byte[] Block = MakeBlock();

    private static byte[] MakeBlock()
    {
        byte[] block = new byte[2 * Period];
        new Random(20240601).NextBytes(block.AsSpan(0, Period));
        block.AsSpan(0, Period).CopyTo(block.AsSpan(Period));
        return block;
    }

    /// <summary>Up to <paramref name="max"/> bytes of the stream from <paramref name="offset"/>.</summary>
    public static ReadOnlyMemory<byte> Slice(long offset, int max) =>
        Block.AsMemory((int)(offset % Period), Math.Min(max, Period));

    /// <summary>SHA-256 of the first <paramref name="length"/> bytes of the stream.</summary>
    public static byte[] Hash(long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long offset = 0; offset < length;)
        {
            ReadOnlyMemory<byte> slice = Slice(offset, (int)Math.Min(1 << 20, length - offset));
            hash.AppendData(slice.Span);
            offset += slice.Length;
        }

        return hash.GetHashAndReset();
    }
}
