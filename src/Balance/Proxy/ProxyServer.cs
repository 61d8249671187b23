using System.Net.Sockets;
using Balance.Hosting;
using Balance.Proxy.Linux;
using Balance.Proxy.Session;
using Balance.Proxy.Sockets;
using Balance.Routing;

namespace Balance.Proxy;

/// <summary>
/// Serves one listener with the best engine for the platform: the epoll
/// engine on Linux (BALANCE_THREADS loops, default one per CPU), the .NET socket engine
/// elsewhere or when BALANCE_ENGINE=sockets.
/// </summary>
internal sealed class ProxyServer : IDisposable
{
    private readonly IProxyEngine _engine;

    public ProxyServer(Socket listener, RoutingTable table, ProxySettings settings, Log log, TimeProvider clock, ConnectionLog.ConnectionLogQueue? connectionLog = null)
    {
        var session = new SessionContext(table, settings, log, clock) { ConnectionLog = connectionLog };
        bool sockets = !OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable("BALANCE_ENGINE") == "sockets";
        if (sockets && settings.KernelRelay)
        {
            log.Notice("kernel relay unavailable: it needs the Linux epoll engine; relaying in user space");
        }

        _engine = sockets
            ? new SocketProxyEngine(listener, session)
            : new EpollProxyEngine(listener, session, ThreadCount());
    }

    public int ActiveRelays => _engine.ActiveRelays;

    public Task RunAsync() => _engine.RunAsync();

    /// <summary>Graceful: no new clients, relays in flight get <paramref name="grace"/> to finish.</summary>
    public void Stop(TimeSpan grace) => _engine.Stop(grace);

    public void StopNow() => _engine.StopNow();

    public void Dispose() => _engine.Dispose();

    /// <summary>
    /// One loop per CPU this process may use (as HAProxy's nbthread and nginx's
    /// "worker_processes auto" default to): it measured faster than one loop in
    /// keep-alive and new-connection load even on two cores shared with the
    /// load generator and the backend.
    /// </summary>
    private static int ThreadCount() =>
        int.TryParse(Environment.GetEnvironmentVariable("BALANCE_THREADS"), out int threads) && threads is >= 1 and <= 64
            ? threads
            : Math.Clamp(Environment.ProcessorCount, 1, 64);
}
