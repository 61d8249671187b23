using Balance.Hosting;
using Balance.Proxy.Session;
using Balance.Routing;

namespace Balance.Health;

/// <summary>
/// --check put together: the monitor on the routing table, its TCP checks on
/// a thread of their own (<see cref="ProbeLoop"/>), and clients' failed
/// connects fed in as passive checks. Without --check none of it exists.
/// </summary>
internal sealed class HealthChecks : IDisposable
{
    private readonly ProbeLoop _loop;

    private HealthChecks(ProbeLoop loop)
    {
        _loop = loop;
    }

    /// <summary>Starts checking every channel of <paramref name="table"/>; call before traffic.</summary>
    public static HealthChecks Start(RoutingTable table, HealthOptions options, OutgoingSource source, Log log, TimeProvider clock)
    {
        var loop = new ProbeLoop(options, source, clock, log);
        var monitor = new HealthMonitor(table, options, clock, log, loop);
        table.AddObserver(new PassiveHealthObserver(monitor));
        loop.Run(monitor);
        return new HealthChecks(loop);
    }

    /// <summary>How often the checks' thread has woken (see <see cref="ProbeLoop.WakeUps"/>).</summary>
    public long WakeUps => _loop.WakeUps;

    public void Dispose() => _loop.Dispose();
}
