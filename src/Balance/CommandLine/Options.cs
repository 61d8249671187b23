namespace Balance.CommandLine;

/// <summary>Everything the command line says, parsed and checked, names not yet resolved.</summary>
internal sealed record Options
{
    public Mode Mode { get; init; } = Mode.Proxy;

    public bool AutoDisable { get; init; }

    public bool Debug { get; init; }

    public bool Foreground { get; init; }

    public bool HashFailover { get; init; }

    public bool PacketDump { get; init; }

    public bool ForceIPv6 { get; init; }

    /// <summary>-b: where the listener binds (also names the control endpoint).</summary>
    public string? BindAddress { get; init; }

    /// <summary>-B: where outgoing connections start from.</summary>
    public string? OutgoingBindAddress { get; init; }

    /// <summary>-t: connect timeout in seconds.</summary>
    public int ConnectTimeoutSeconds { get; init; } = 5;

    /// <summary>-T: idle timeout of a relayed connection in seconds; 0 = never.</summary>
    public int IdleTimeoutSeconds { get; init; }

    /// <summary>--grace: how long relays in flight may finish after a stop was asked for.</summary>
    public int GraceSeconds { get; init; } = 10;

    /// <summary>
    /// --fin-timeout: a half-closed relayed connection silent this long is
    /// closed; 0 = never. A minute of silence after a FIN is almost always a
    /// dead peer (a killed backend whose client never closes its side), while
    /// a reply still flowing after the FIN keeps the connection alive.
    /// </summary>
    public int FinTimeoutSeconds { get; init; } = 60;

    /// <summary>
    /// --kernel-relay: once a pair has carried a request, its answer and the
    /// next request, the kernel moves its bytes (a BPF sockmap), so balance
    /// is woken only for FINs, resets and timeouts. Off by default: it needs
    /// CAP_BPF and CAP_NET_ADMIN and a kernel with sockmap, and it gains only
    /// where many small messages flow on kept-alive connections.
    /// </summary>
    public bool KernelRelay { get; init; }

    /// <summary>-c: the control command to send.</summary>
    public string? ControlCommand { get; init; }

    public int ListenPort { get; init; }

    public IReadOnlyList<GroupSpec> Groups { get; init; } = Array.Empty<GroupSpec>();
}
