namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// Reads a PROXY header, version 1 or 2, from the first bytes a connection
/// received. Pure and never throws: every input gives a status. It looks at
/// no byte past the end of the header, so the bytes after it are the
/// client's own and are relayed untouched.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>
    /// The longest header taken, TLVs included: the specification lets a v2
    /// header reach 64 KiB, but addresses take at most 216 bytes and the TLVs
    /// load balancers add (AWS, GCP, HAProxy) far less than this.
    /// </summary>
    public const int MaxLength = 1024;

    public static ProxyParseStatus Parse(ReadOnlySpan<byte> received, out ProxyHeader header)
    {
        header = default;
        if (received.IsEmpty)
        {
            return ProxyParseStatus.Incomplete;
        }

        if (received[0] == (byte)'P')
        {
            return ProxyV1Parser.Parse(received, out header);
        }

        if (received[0] == ProxyV2Encoder.Signature[0])
        {
            return ProxyV2Parser.Parse(received, out header);
        }

        return ProxyParseStatus.NotProxy;
    }

    /// <summary>True when <paramref name="received"/> is <paramref name="prefix"/> or its start; false when it differs.</summary>
    internal static bool StartsLike(ReadOnlySpan<byte> received, ReadOnlySpan<byte> prefix)
    {
        int length = Math.Min(received.Length, prefix.Length);
        return received[..length].SequenceEqual(prefix[..length]);
    }
}
