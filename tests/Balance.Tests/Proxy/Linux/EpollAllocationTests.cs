using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Sockets;
using Balance.Hosting;
using Balance.Proxy;
using Balance.Proxy.Linux;
using Balance.Proxy.Session;
using Balance.Routing;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Proxy.Linux;

/// <summary>
/// The epoll engine allocates nothing per connection: run in this process,
/// its loop threads must not show up in the runtime's allocation sampling
/// (one event per ~100 KB allocated) over thousands of connections, so even
/// a few bytes per connection would.
/// </summary>
public sealed class EpollAllocationTests
{
    private const int WarmUp = 2_000;
    private const int Measured = 20_000;

    private readonly ITestOutputHelper _output;

    public EpollAllocationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task ConnectionsThroughTheEpollEngineAllocateNothingOnItsLoops()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var echo = new TestBackend("echo", TestBackend.Behaviour.Echo, backlog: 1024);
        var table = new RoutingTable([Group(echo.Port)]);
        var settings = new ProxySettings { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, FreePort.Next()) };
        var session = new SessionContext(table, settings, new Log(debug: false), TimeProvider.System);
        using Socket listener = ListenerFactory.Open(settings);
        using var engine = new EpollProxyEngine(listener, session, threads: 1);
        Task running = engine.RunAsync();
        try
        {
            Exchange(settings.ListenEndPoint, WarmUp);
            using var sampling = new AllocationSampling("balance-loop");
            Exchange(settings.ListenEndPoint, Measured);
            sampling.Stop();
            _output.WriteLine($"allocation samples on the loop thread over {Measured} connections: {sampling.Samples.Count} {string.Join(", ", sampling.Samples.Distinct())}");
            Assert.Empty(sampling.Samples);
            Assert.Equal(WarmUp + Measured, table.Status(0, 0)!.Value.TotalConnections);
        }
        finally
        {
            engine.Stop(TimeSpan.Zero);
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// The same with a PROXY v2 header sent to every backend and the
    /// connection log on: the header is encoded into the pooled pair's buffer
    /// and the log record is a value copied into the queue, whose own thread
    /// does the formatting.
    /// </summary>
    [Fact]
    public async Task SendProxyAndTheConnectionLogAllocateNothingOnItsLoops()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var echo = new TestBackend("echo", TestBackend.Behaviour.Echo, backlog: 1024);
        var table = new RoutingTable([Group(echo.Port)]);
        var settings = new ProxySettings { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, FreePort.Next()), SendProxy = 2 };
        long lines = 0;
        using var connectionLog = new Balance.ConnectionLog.ConnectionLogQueue(
            new Balance.ConnectionLog.ConnectionLogText(), _ => Interlocked.Increment(ref lines), _ => { }, TimeProvider.System);
        connectionLog.Start();
        var session = new SessionContext(table, settings, new Log(debug: false), TimeProvider.System) { ConnectionLog = connectionLog };
        using Socket listener = ListenerFactory.Open(settings);
        using var engine = new EpollProxyEngine(listener, session, threads: 1);
        Task running = engine.RunAsync();
        try
        {
            Exchange(settings.ListenEndPoint, WarmUp);
            using var sampling = new AllocationSampling("balance-loop");
            Exchange(settings.ListenEndPoint, Measured);
            sampling.Stop();
            _output.WriteLine($"allocation samples on the loop thread over {Measured} connections: {sampling.Samples.Count} {string.Join(", ", sampling.Samples.Distinct())}");
            Assert.Empty(sampling.Samples);
            await Poll.UntilAsync(() => Interlocked.Read(ref lines) + connectionLog.Dropped >= WarmUp + Measured, TimeSpan.FromSeconds(30), "a line for every connection");
        }
        finally
        {
            engine.Stop(TimeSpan.Zero);
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static ChannelGroup Group(int port)
    {
        var group = new ChannelGroup();
        group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, port), 0));
        return group;
    }

    private static void Exchange(IPEndPoint proxy, int connections)
    {
        byte[] request = "ping1234"u8.ToArray();
        byte[] reply = new byte[request.Length];
        for (int i = 0; i < connections; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
            client.Connect(proxy);
            client.Send(request);
            int got = 0;
            while (got < reply.Length)
            {
                int n = client.Receive(reply, got, reply.Length - got, SocketFlags.None);
                Assert.True(n > 0, $"connection {i} ended early");
                got += n;
            }
        }
    }

    /// <summary>The runtime's GC AllocationTick events raised on threads of one name, with the type that crossed the mark.</summary>
    private sealed class AllocationSampling : EventListener
    {
        private const int AllocationTick = 10;
        private readonly string _threadName;
        private readonly ConcurrentDictionary<long, bool> _named = new();
        private volatile bool _stopped;

        public AllocationSampling(string threadName)
        {
            _threadName = threadName;
            foreach (EventSource source in EventSource.GetSources())
            {
                OnEventSourceCreated(source);
            }
        }

        public ConcurrentBag<string> Samples { get; } = new();

        public void Stop() => _stopped = true;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (_threadName is not null && source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (_stopped || e.EventId != AllocationTick || !IsNamed(e.OSThreadId))
            {
                return;
            }

            int index = e.PayloadNames?.IndexOf("TypeName") ?? -1;
            Samples.Add(index >= 0 ? e.Payload?[index]?.ToString() ?? "?" : "?");
        }

        private bool IsNamed(long tid) => _named.GetOrAdd(tid, id =>
        {
            string comm = $"/proc/self/task/{id}/comm";
            return File.Exists(comm) && File.ReadAllText(comm).Trim() == _threadName;
        });
    }
}
