using System.Net;

namespace Balance.Proxy;

/// <summary>How the proxy listens, connects and relays, resolved from the command line.</summary>
internal sealed record ProxySettings
{
    public required IPEndPoint ListenEndPoint { get; init; }

    /// <summary>Accept IPv4 clients on an IPv6 listener too (no -b given).</summary>
    public bool DualStack { get; init; }

    public IPAddress? OutgoingBindAddress { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Zero: relayed connections never time out.</summary>
    public TimeSpan IdleTimeout { get; init; }

    public bool PacketDump { get; init; }
}
