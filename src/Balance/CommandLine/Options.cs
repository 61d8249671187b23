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
    /// --http: where the metrics, <c>/status.json</c> and the status page are
    /// served; null (the default) serves nothing. Off by default because an
    /// HTTP port is one more thing listening, and what it shows (backend
    /// addresses, traffic) is for the operator to decide to expose.
    /// </summary>
    public System.Net.IPEndPoint? HttpEndPoint { get; init; }

    /// <summary>
    /// --check: health checks of every channel, active (a TCP connect from the
    /// -B source every interval) and passive (clients' refused or timed-out
    /// connects count as failed checks). Off by default: the original had
    /// none, and without it balance behaves and prints exactly as before.
    /// </summary>
    public bool Check { get; init; }

    /// <summary>
    /// --check-interval in milliseconds; null when not given: 2000, HAProxy's
    /// default. A dead channel is then out within fall × 2 s, for one connect
    /// per channel every 2 s.
    /// </summary>
    public long? CheckIntervalMs { get; init; }

    /// <summary>
    /// --check-timeout in milliseconds; null when not given: the interval, at
    /// most -t. A check then ends before the next one is due, and never waits
    /// longer than a client's connect would.
    /// </summary>
    public long? CheckTimeoutMs { get; init; }

    /// <summary>
    /// --rise; null when not given: 2 (HAProxy's default), so a channel that
    /// comes back is handed clients only after two good checks in a row, not
    /// on one lucky answer.
    /// </summary>
    public int? Rise { get; init; }

    /// <summary>
    /// --fall; null when not given: 3 (HAProxy's default), so one lost check
    /// does not take a channel out.
    /// </summary>
    public int? Fall { get; init; }

    /// <summary>--check-send, escapes decoded: sent after the check's connect; null: nothing is sent.</summary>
    public byte[]? CheckSend { get; init; }

    /// <summary>--check-expect, escapes decoded: what the reply must contain; null: the connect alone is the check.</summary>
    public byte[]? CheckExpect { get; init; }

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
    /// --kernel-relay: once a pair has carried a request, its answer and the
    /// next request, the kernel moves its bytes (a BPF sockmap), so balance
    /// is woken only for FINs, resets and timeouts. Off by default: it needs
    /// CAP_BPF and CAP_NET_ADMIN and a kernel with sockmap, and it gains only
    /// where many small messages flow on kept-alive connections.
    /// </summary>
    public bool KernelRelay { get; init; }

    /// <summary>
    /// --resolver: the DNS server for <c>srv:</c> channels; null (the default)
    /// takes the servers of /etc/resolv.conf, as every other program does.
    /// </summary>
    public System.Net.IPEndPoint? Resolver { get; init; }

    /// <summary>
    /// --etcd: the etcd endpoints (http://host:port) that share operator
    /// changes between instances; empty (the default): nothing is shared.
    /// </summary>
    public IReadOnlyList<Uri> EtcdEndpoints { get; init; } = Array.Empty<Uri>();

    /// <summary>--cluster: the name instances sharing state go by in etcd; required with --etcd.</summary>
    public string? ClusterName { get; init; }

    /// <summary>
    /// --send-proxy (1) or --send-proxy-v2 (2): every backend connection
    /// starts with a PROXY protocol header naming the real client; 0 (the
    /// default) sends nothing, as the original did, since a backend that does
    /// not expect the header would take it for the client's data.
    /// </summary>
    public int SendProxy { get; init; }

    /// <summary>
    /// --accept-proxy: every client must start with a PROXY header (from a
    /// load balancer in front), whose address is then the client's; off by
    /// default, since a header is never guessed at.
    /// </summary>
    public bool AcceptProxy { get; init; }

    /// <summary>
    /// --accept-proxy-from: who may send that header; null (the default) is
    /// loopback only, so no one elsewhere can claim to be any client.
    /// </summary>
    public Proxy.ProxyProtocol.SourceRanges? AcceptProxyFrom { get; init; }

    /// <summary>
    /// --log-connections: one line per relayed connection when it ends (stderr
    /// in the foreground, syslog in the background); off by default, so the
    /// log says what the original's did and a busy proxy writes nothing per client.
    /// </summary>
    public bool LogConnections { get; init; }

    /// <summary>--log-format: "text" (key=value fields) or "json"; null when not given: text.</summary>
    public string? LogFormat { get; init; }

    /// <summary>
    /// --takeover: take the listen socket and the operator's changes from the
    /// instance running for the same port and -b, which then drains. Off by
    /// default: a start must not end another instance unless asked to.
    /// </summary>
    public bool Takeover { get; init; }

    /// <summary>-c: the control command to send.</summary>
    public string? ControlCommand { get; init; }

    public int ListenPort { get; init; }

    public IReadOnlyList<GroupSpec> Groups { get; init; } = Array.Empty<GroupSpec>();
}
