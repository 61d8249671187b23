using System.Diagnostics.CodeAnalysis;
using System.Net;
using Balance.Proxy.ProxyProtocol;

namespace Balance.ConnectionLog;

/// <summary>
/// One ended connection for --log-connections: a plain value copied into the
/// log's queue, so recording it allocates nothing; it is formatted later on
/// the log's own thread.
/// </summary>
internal struct ConnectionRecord
{
    /// <summary>When the client was accepted.</summary>
    public DateTimeOffset Start;

    public AddressBytes Client;
    public int ClientLength;
    public ushort ClientPort;

    /// <summary>The group and channel index, -1 when no channel took the client.</summary>
    public int Group;
    public int Channel;

    /// <summary>The channel's address, null when no channel took the client.</summary>
    public IPEndPoint? Backend;

    /// <summary>From accept to the backend's connect, -1 when none connected.</summary>
    public long ConnectMs;
    public long DurationMs;

    /// <summary>Bytes client to backend and back, the PROXY header not counted.</summary>
    public long Sent;
    public long Received;

    public EndReason Reason;

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ClientBytes => ((ReadOnlySpan<byte>)Client)[..ClientLength];
}
