using System.Collections.Concurrent;
using System.Diagnostics;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// New connections at a steady rate while a channel dies: until the checks
/// mark it DOWN some clients wait for -t on it; from then on none is sent
/// there, so none fails or waits. The counts before and after are written to
/// the test output.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HealthCheckLoadTests
{
    private const int PerSecond = 50;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AfterMarking = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LoadLimit = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;

    public HealthCheckLoadTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private sealed record Client(TimeSpan StartedAt, TimeSpan Took, string? Who, string? Error)
    {
        /// <summary>Failed, or took as long as a connect timeout: it was sent to the dead channel first.</summary>
        public bool Hurt => Error is not null || Who is not ("A" or "B") || Took >= ConnectTimeout;
    }

    [Theory]
    [AllEngines]
    public async Task AtASteadyRateNoClientFailsOrWaitsOnceADeadChannelIsMarkedDown(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B"],
            Options = ["--check", "--check-interval", "0.2", "-t", "1"],
        });
        await Poll.UntilAsync(async () => await ControlQuery.HealthAsync(proxy.ControlSocket, 0, 1) == "up", LoadLimit, "B to be up");

        var clients = new ConcurrentBag<Client>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(LoadLimit);
        Task load = LoadAsync(proxy.Port, clock, clients, stop.Token);
        await Poll.UntilAsync(() => clients.Count >= PerSecond, LoadLimit, "a second of traffic");

        // B dies: its port refuses for a moment, then drops every SYN, so a connect there waits for -t.
        int portB = proxy["B"].Port;
        TimeSpan killedAt = clock.Elapsed;
        proxy["B"].Dispose();
        using var hole = await FullAcceptQueue.CreateAsync(portB);
        await Poll.UntilAsync(async () => await ControlQuery.StateAsync(proxy.ControlSocket, 0, 1) == "DWN", LoadLimit, "B to be DOWN");
        TimeSpan downAt = clock.Elapsed;
        long triedAtDown = await TotalcAsync(proxy);

        await Poll.UntilAsync(() => clients.Count(c => c.StartedAt >= downAt + AfterMarking) > 0, LoadLimit, "three seconds of traffic after the marking");
        stop.Cancel();
        await load;

        Client[] before = clients.Where(c => c.StartedAt >= killedAt && c.StartedAt < downAt).ToArray();
        Client[] after = clients.Where(c => c.StartedAt >= downAt).ToArray();
        _output.WriteLine(
            $"{engine}: B marked DOWN {(downAt - killedAt).TotalSeconds:0.00} s after it died; " +
            $"before the marking {before.Count(c => c.Hurt)} of {before.Length} clients waited for -t or failed, " +
            $"after it {after.Count(c => c.Hurt)} of {after.Length} (slowest {after.Max(c => c.Took).TotalMilliseconds:0} ms)");

        Assert.InRange(after.Length, (int)(AfterMarking.TotalSeconds * PerSecond / 2), int.MaxValue);
        Assert.DoesNotContain(after, c => c.Hurt);
        Assert.Equal(triedAtDown, await TotalcAsync(proxy)); // no client was even sent to B once it was DOWN
    }

    private static async Task<long> TotalcAsync(ProxyFixture proxy) =>
        (await ControlQuery.ChannelAsync(proxy.ControlSocket, 0, 1)).GetProperty("totalConnections").GetInt64();

    /// <summary>A new client every 1/<see cref="PerSecond"/> s until stopped: connect, read the greeting.</summary>
    private static async Task LoadAsync(int port, Stopwatch clock, ConcurrentBag<Client> clients, CancellationToken stop)
    {
        var running = new List<Task>();
        TimeSpan next = clock.Elapsed;
        while (!stop.IsCancellationRequested && running.Count < PerSecond * LoadLimit.TotalSeconds)
        {
            running.Add(OneAsync(port, clock, clients));
            next += TimeSpan.FromSeconds(1.0 / PerSecond);
            TimeSpan wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(running);
    }

    private static async Task OneAsync(int port, Stopwatch clock, ConcurrentBag<Client> clients)
    {
        TimeSpan started = clock.Elapsed;
        try
        {
            string who = await TestClient.WhoAnswersAsync(port);
            clients.Add(new Client(started, clock.Elapsed - started, who, null));
        }
        catch (Exception e)
        {
            clients.Add(new Client(started, clock.Elapsed - started, null, e.GetType().Name));
        }
    }
}
