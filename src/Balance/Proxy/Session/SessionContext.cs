using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>What every client session of an engine shares: routing, settings, log, clock, the queue at maxc, and the stop flag.</summary>
internal sealed class SessionContext
{
    private volatile bool _stopping;

    public SessionContext(RoutingTable table, ProxySettings settings, Log log, TimeProvider clock)
    {
        Table = table;
        Settings = settings;
        Log = log;
        Clock = clock;
        Source = new OutgoingSource(settings.OutgoingBindAddress, log);
        Shortage = new ResourceShortageLog(log, clock);
        ProxyRejections = new ProxyHeaderRejections(log, clock);
        if (settings.QueueLength > 0)
        {
            Queue = new ClientQueue(this, settings.QueueLength, settings.QueueTimeout);
            table.AttachQueue(Queue);
        }
    }

    public RoutingTable Table { get; }

    public ProxySettings Settings { get; }

    public Log Log { get; }

    public TimeProvider Clock { get; }

    /// <summary>-B.</summary>
    public OutgoingSource Source { get; }

    /// <summary>Running out of descriptors or memory, told at most once per interval.</summary>
    public ResourceShortageLog Shortage { get; }

    /// <summary>Clients closed for want of a valid PROXY header (--accept-proxy), told at most once per interval.</summary>
    public ProxyHeaderRejections ProxyRejections { get; }

    /// <summary>--log-connections: where ended connections go, or null.</summary>
    public ConnectionLog.ConnectionLogQueue? ConnectionLog { get; init; }

    /// <summary>The queue at maxc (--queue), or null.</summary>
    public ClientQueue? Queue { get; }

    /// <summary>Set when the proxy ends at once: no client starts another connect.</summary>
    public bool Stopping => _stopping;

    public void Stop() => _stopping = true;
}
