using System.Net;
using System.Runtime.InteropServices;
using Balance.Cluster;
using Balance.CommandLine;
using Balance.ConnectionLog;
using Balance.Discovery;
using Balance.Control;
using Balance.Native;
using Balance.Observability;
using Balance.Health;
using Balance.Proxy;
using Balance.Proxy.ProxyProtocol;
using Balance.Proxy.Session;
using Balance.Routing;
using Balance.Upgrade;

namespace Balance.Hosting;

/// <summary>
/// Runs a proxy instance: resolves the channels, opens the listener and the
/// control socket, detaches when in the background, and serves until SIGINT,
/// SIGTERM or the control command kill.
/// </summary>
internal static class ProxyHost
{
    public static int Run(Options options, IReadOnlyList<string> args)
    {
        if (!options.Foreground && !Daemon.IsDetachedChild)
        {
            return Daemon.StartAndWait(args);
        }

        var log = new Log(options.Debug);
        RoutingTable table = RoutingTableBuilder.Build(options);
        var commandLine = new AdminStateCapture(table.Snapshot());
        HealthOptions? health = HealthOptions.From(options);
        ProxySettings settings = BuildSettings(options) with
        {
            AutoEnableChecks = health is not null && options.AutoDisable ? health.Rise : 0,
        };
        // Channels from DNS and the shared state are in the table before the
        // listener opens: the first client already sees what the others see.
        using SrvDiscovery? discovery = SrvDiscovery.Start(options, table, log, TimeProvider.System);
        using ClusterSync? cluster = options.ClusterName is null
            ? null
            : ClusterSync.Start(options.EtcdEndpoints, options.ClusterName, table, log, TimeProvider.System);
        if (log.DebugEnabled)
        {
            TraceChannels(log, options.ListenPort, table);
        }

        if (settings.PacketDump)
        {
            PacketDump.Open();
        }

        DescriptorLimit.RaiseToHardLimit();
        using TakeoverClient? takeover = options.Takeover
            ? TakeoverClient.Start(options.ListenPort, options.BindAddress, settings.ListenEndPoint, log.Debug)
            : null;
        if (takeover is not null)
        {
            foreach (string note in AdminStateMatcher.Apply(table, takeover.State))
            {
                log.Notice($"takeover: {note}");
            }
        }

        using var listener = takeover?.Listener
            ?? SocketActivation.Take(settings.ListenEndPoint, checkAddress: options.BindAddress is not null)
            ?? ListenerFactory.Open(settings);
        using SystemdNotify? notify = SystemdNotify.FromEnvironment();
        using ConnectionLogQueue? connectionLog = StartConnectionLog(options, log);
        using var server = new ProxyServer(listener, table, settings, log, TimeProvider.System, connectionLog);

        // A successor starts its status server once the old instance has let go of the port.
        HttpStatusServer? http = takeover is null ? StartHttp(options, table, log) : null;
        using HealthChecks? checks = health is null
            ? null
            : HealthChecks.Start(table, health, new OutgoingSource(settings.OutgoingBindAddress, log), log, TimeProvider.System);
        var grace = TimeSpan.FromSeconds(options.GraceSeconds);
        int stops = 0;
        ControlServer? control = null;

        // Signals are caught before the control socket exists: one that came
        // in between would end the process the default way and leave the
        // socket behind. A shell starts background jobs with SIGINT ignored,
        // and that is inherited (the runtime leaves an ignored signal alone):
        // SIGINT goes back to its default first, so that it stops balance
        // gracefully however it was started, as the manual says.
        _ = Libc.Signal(Libc.SIGINT, Libc.SIG_DFL);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var responder = new TakeoverResponder(
            () => Volatile.Read(ref stops) == 0 ? listener : null,
            () => commandLine.Changes(table.Snapshot()),
            () => BeginStop(handedOver: true),
            log);
        using var controlServer = ControlServer.Start(
            options.ListenPort, options.BindAddress, table, () => BeginStop(handedOver: false), log, grace,
            cluster, responder, replaceLive: takeover is not null);
        Volatile.Write(ref control, controlServer);
        if (Volatile.Read(ref stops) > 0)
        {
            controlServer.Dispose(); // a signal came while it was being opened
        }

        Task serving = server.RunAsync();
        notify?.Send(SystemdNotify.Ready(takeover is null ? null : Environment.ProcessId));
        if (takeover is not null)
        {
            int? drain = takeover.Complete();
            log.Notice($"took over from pid {takeover.OldPid}{(drain is int d ? $", which drains for up to {d} s" : "")}");
            http = StartHttpAfterTakeover(options, table, log);
        }

        if (Daemon.IsDetachedChild)
        {
            Daemon.ReportReadyAndDetach();
            log.Detached = true;
            log.UseSyslog();
        }

        using (http)
        {
            serving.GetAwaiter().GetResult();
        }

        return ExitCodes.Ok;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            BeginStop(handedOver: false);
        }

        // The first signal, or the control command kill, drains (no new
        // clients, relays finish within the grace period); a signal after that
        // ends everything at once. The control socket goes with the listen
        // port, so that a successor started during the drain can take over the
        // name as well as the port. systemd hears "stopping" unless a
        // successor took over: that would stop the service.
        void BeginStop(bool handedOver)
        {
            if (Interlocked.Increment(ref stops) == 1)
            {
                if (!handedOver)
                {
                    notify?.Send(SystemdNotify.Stopping);
                }

                server.Stop(grace);
                Volatile.Read(ref control)?.Dispose();
                http?.Dispose();
            }
            else
            {
                server.StopNow();
            }
        }
    }

    /// <summary>
    /// After a takeover the instance already serves: a status port that cannot
    /// be had is reported, not fatal.
    /// </summary>
    private static HttpStatusServer? StartHttpAfterTakeover(Options options, RoutingTable table, Log log)
    {
        try
        {
            return StartHttp(options, table, log);
        }
        catch (BalanceException e)
        {
            log.Error($"{e.Message}: serving without --http");
            return null;
        }
    }

    /// <summary>
    /// With --http: the connect observer that feeds the metrics, and the
    /// status server. Without it nothing is registered and nothing listens.
    /// </summary>
    private static HttpStatusServer? StartHttp(Options options, RoutingTable table, Log log)
    {
        if (options.HttpEndPoint is null)
        {
            return null;
        }

        var connects = new ConnectMetrics(table.Snapshot());
        table.AddObserver(connects);
        var metrics = new MetricsExporter(table, connects, ChannelFamily.For(healthChecks: options.Check));
        var site = new StatusSite(table, metrics, Environment.ProcessId);
        return HttpStatusServer.Start(options.HttpEndPoint, site, log);
    }

    /// <summary>--log-connections: the queue and its writing thread; null without the option.</summary>
    private static ConnectionLogQueue? StartConnectionLog(Options options, Log log)
    {
        if (!options.LogConnections)
        {
            return null;
        }

        IConnectionLineFormat format = options.LogFormat == "json" ? new ConnectionLogJson() : new ConnectionLogText();
        var queue = new ConnectionLogQueue(format, log.Line, log.Notice, TimeProvider.System);
        queue.Start();
        return queue;
    }

    private static ProxySettings BuildSettings(Options options)
    {
        IPAddress listenAddress;
        bool dualStack = false;
        if (options.BindAddress is null)
        {
            (listenAddress, dualStack) = ListenerFactory.DefaultAddress();
        }
        else
        {
            listenAddress = AddressResolver.Resolve(options.BindAddress, options.ForceIPv6);

            // An IPv4-mapped address (-b ::ffff:a.b.c.d) can only be bound with
            // IPV6_V6ONLY off; its clients are IPv4 ones, hashed as such.
            dualStack = listenAddress.IsIPv4MappedToIPv6;
        }

        return new ProxySettings
        {
            ListenEndPoint = new IPEndPoint(listenAddress, options.ListenPort),
            DualStack = dualStack,
            OutgoingBindAddress = options.OutgoingBindAddress is null ? null : AddressResolver.Resolve(options.OutgoingBindAddress),
            ConnectTimeout = TimeSpan.FromSeconds(options.ConnectTimeoutSeconds),
            Timeouts = new RelayTimeouts(options.IdleTimeoutSeconds * 1000L, options.FinTimeoutSeconds * 1000L),
            QueueLength = options.QueueLength,
            QueueTimeout = TimeSpan.FromSeconds(options.QueueTimeoutSeconds ?? options.ConnectTimeoutSeconds),
            PacketDump = options.PacketDump && !Daemon.IsDetachedChild,
            KernelRelay = options.KernelRelay || Environment.GetEnvironmentVariable("BALANCE_KERNEL_RELAY") == "1",
            SendProxy = options.SendProxy,
            AcceptProxyFrom = options.AcceptProxy ? options.AcceptProxyFrom ?? SourceRanges.Loopback : null,
        };
    }

    private static void TraceChannels(Log log, int listenPort, RoutingTable table)
    {
        log.Debug($"source port {listenPort}");
        log.Debug("the following channels are active:");
        foreach (ChannelStatus row in table.Snapshot())
        {
            log.Debug($"{row.Group,3} {row.Index,2} {row.EndPoint.Address}:{row.EndPoint.Port}:{row.MaxConnections}");
        }
    }
}
