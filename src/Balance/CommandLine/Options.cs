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

    /// <summary>The largest --queue: a waiting client holds a descriptor, which runs out long before.</summary>
    public const int MaxQueueLength = 1_000_000;

    /// <summary>
    /// --queue: clients that may wait for a slot when every channel they could
    /// use is at its maxc; 0 (the default) closes them at once, as the original did.
    /// </summary>
    public int QueueLength { get; init; }

    /// <summary>
    /// --queue-timeout: how long a client waits in the queue before it is
    /// closed; null (the default) is -t, the time a client already waits for
    /// one connect.
    /// </summary>
    public int? QueueTimeoutSeconds { get; init; }

    /// <summary>
    /// --hash-type: what "%" and <c>hash</c> make. Consistent (Maglev, the
    /// default) moves few clients when channels come and go; modulo is the
    /// mapping of earlier versions, for a fleet that must agree with them
    /// while it is upgraded.
    /// </summary>
    public Routing.GroupType HashType { get; init; } = Routing.GroupType.Hash;

    /// <summary>-c: the control command to send.</summary>
    public string? ControlCommand { get; init; }

    public int ListenPort { get; init; }

    public IReadOnlyList<GroupSpec> Groups { get; init; } = Array.Empty<GroupSpec>();
}
