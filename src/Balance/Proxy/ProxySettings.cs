using System.Net;
using Balance.Proxy.Session;

namespace Balance.Proxy;

/// <summary>How the proxy listens, connects and relays, resolved from the command line.</summary>
internal sealed record ProxySettings
{
    public required IPEndPoint ListenEndPoint { get; init; }

    /// <summary>Accept IPv4 clients on an IPv6 listener too (no -b given, or -b an IPv4-mapped address).</summary>
    public bool DualStack { get; init; }

    public IPAddress? OutgoingBindAddress { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>-T and --fin-timeout: when a quiet relayed connection is closed.</summary>
    public RelayTimeouts Timeouts { get; init; }

    public bool PacketDump { get; init; }

    /// <summary>With --check: the good checks in a row (rise) that end a -a disable; 0 without: only <c>enable</c> does.</summary>
    public int AutoEnableChecks { get; init; }

    /// <summary>--queue: how many clients may wait for a slot when every channel they could use is full; 0 for none.</summary>
    public int QueueLength { get; init; }

    /// <summary>--send-proxy (1), --send-proxy-v2 (2): the PROXY header every backend connection starts with; 0 for none.</summary>
    public int SendProxy { get; init; }

    /// <summary>--accept-proxy: the sources a PROXY header is taken from, or null when clients send none.</summary>
    public ProxyProtocol.SourceRanges? AcceptProxyFrom { get; init; }

    /// <summary>How long a client may take to send its whole PROXY header.</summary>
    public TimeSpan ProxyHeaderTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>--queue-timeout: the longest wait in the queue.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>--kernel-relay or BALANCE_KERNEL_RELAY=1: established pairs are relayed by a BPF sockmap program (epoll engine).</summary>
    public bool KernelRelay { get; init; }
}
