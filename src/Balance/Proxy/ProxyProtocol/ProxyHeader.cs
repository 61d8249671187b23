namespace Balance.Proxy.ProxyProtocol;

/// <summary>What reading a PROXY header came to so far.</summary>
internal enum ProxyParseStatus
{
    /// <summary>Everything so far is a valid start of a header: wait for more bytes.</summary>
    Incomplete,

    /// <summary>A whole header; its length and addresses are in the <see cref="ProxyHeader"/>.</summary>
    Complete,

    /// <summary>Not a PROXY header at all (the first bytes are neither signature).</summary>
    NotProxy,

    /// <summary>Starts as a header but breaks the specification.</summary>
    Malformed,

    /// <summary>Longer than a v1 line may be, or a v2 header longer than balance takes.</summary>
    TooLong,
}

/// <summary>
/// A parsed PROXY header: how many bytes it took (what follows is the
/// client's data), and the addresses it names. <see cref="ProxyAddresses.Family"/>
/// is <see cref="ProxyFamily.Unknown"/> for v1 UNKNOWN, the v2 LOCAL command
/// and v2 AF_UNSPEC: then the connection's own addresses apply.
/// </summary>
internal struct ProxyHeader
{
    public int Length;
    public int Version;
    public ProxyAddresses Addresses;

    public readonly bool UsesConnectionAddresses => Addresses.Family == ProxyFamily.Unknown;
}
