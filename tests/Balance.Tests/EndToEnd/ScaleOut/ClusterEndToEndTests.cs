using System.Diagnostics;
using System.Net;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.EndToEnd.ScaleOut;

/// <summary>
/// Three instances sharing operator state through a real etcd on loopback
/// ports: a <c>disable</c> on one reaching the others (the delay measured over
/// 100 changes), etcd killed and restarted under traffic, an instance started
/// later reading the state, and all three sending every one of 250 client
/// addresses to the same backend.
/// </summary>
public sealed class ClusterEndToEndTests
{
    private static readonly string[] Names = ["A", "B", "C", "D"];
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output;

    public ClusterEndToEndTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static string Cluster() => "t" + Guid.NewGuid().ToString("N")[..12];

    private static Task<ProxyFixture> StartAsync(string engine, EtcdServer etcd, string cluster, IEnumerable<TestBackend> channels, bool hash = false) =>
        ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = ["--etcd", etcd.Url, "--cluster", cluster],
            Channels = [.. channels.Select(b => b.Channel), .. hash ? new[] { "%" } : []],
        });

    [NeedsToolsTheory("etcd")]
    [AllEngines]
    public async Task DisableOnOneInstanceStopsTrafficThroughTheOthers(string engine)
    {
        var backends = Names.Select(n => new TestBackend(n)).ToList();
        try
        {
            await using var etcd = await EtcdServer.StartAsync();
            string cluster = Cluster();
            await using var one = await StartAsync(engine, etcd, cluster, backends);
            await using var two = await StartAsync(engine, etcd, cluster, Enumerable.Reverse(backends));
            await using var three = await StartAsync(engine, etcd, cluster, [backends[2], backends[0], backends[3], backends[1]]);
            TestBackend b = backends[1];
            int onOne = await ShowRows.IndexOfAsync(one.ControlSocket, b.Port);

            var delays = new List<double>();
            for (int change = 0; change < 100; change++)
            {
                bool disable = change % 2 == 0;
                string expected = disable ? "dis" : "ENA";
                var clock = Stopwatch.StartNew();
                Assert.Equal($"channel {onOne} {(disable ? "disabled" : "enabled")}\n", await ControlQuery.RunAsync(one.ControlSocket, $"{(disable ? "disable" : "enable")} {onOne}"));
                // Polled every 2 ms (not Poll's 20 ms): the delay is what is measured.
                while (await ShowRows.StateOfAsync(two.ControlSocket, b.Port) != expected || await ShowRows.StateOfAsync(three.ControlSocket, b.Port) != expected)
                {
                    Assert.True(clock.Elapsed < Propagation, $"change {change} did not reach the other instances");
                    await Task.Delay(2);
                }

                delays.Add(clock.Elapsed.TotalMilliseconds);
            }

            delays.Sort();
            double p50 = delays[49], p99 = delays[98];
            _output.WriteLine($"propagation ({engine}): p50 {p50:0.0} ms, p99 {p99:0.0} ms, max {delays[^1]:0.0} ms");
            File.AppendAllText(Path.Combine(Path.GetTempPath(), "balance-propagation.txt"), $"{engine} p50 {p50:0.0} ms p99 {p99:0.0} ms max {delays[^1]:0.0} ms\n");
            Assert.True(p99 < 1000, $"p99 {p99} ms");

            // Disabled through instance 1: clients of instances 2 and 3 never reach B.
            await ControlQuery.RunAsync(one.ControlSocket, $"disable {onOne}");
            await Poll.UntilAsync(async () => await ShowRows.StateOfAsync(three.ControlSocket, b.Port) == "dis", Propagation, "B disabled on 3");
            await Poll.UntilAsync(async () => await ShowRows.StateOfAsync(two.ControlSocket, b.Port) == "dis", Propagation, "B disabled on 2");
            int before = b.Accepted;
            for (int i = 0; i < 16; i++)
            {
                Assert.NotEqual("B", await TestClient.WhoAnswersAsync(i % 2 == 0 ? two.Port : three.Port));
            }

            Assert.Equal(before, b.Accepted);
        }
        finally
        {
            backends.ForEach(x => x.Dispose());
        }
    }

    [NeedsToolsTheory("etcd")]
    [AllEngines]
    public async Task EtcdKilledAndRestartedUnderTrafficNoClientFailsAndChangesAreReconciled(string engine)
    {
        var backends = Names.Select(n => new TestBackend(n)).ToList();
        try
        {
            await using var etcd = await EtcdServer.StartAsync();
            string cluster = Cluster();
            await using var one = await StartAsync(engine, etcd, cluster, backends);
            await using var two = await StartAsync(engine, etcd, cluster, Enumerable.Reverse(backends));
            TestBackend a = backends[0], c = backends[2];

            using var stopTraffic = new CancellationTokenSource();
            int served = 0;
            var failures = new List<string>();
            Task traffic = Task.Run(async () =>
            {
                for (int i = 0; i < 5000 && !stopTraffic.IsCancellationRequested; i++)
                {
                    string who = await TestClient.WhoAnswersAsync(i % 2 == 0 ? one.Port : two.Port);
                    if (!Names.Contains(who))
                    {
                        lock (failures)
                        {
                            failures.Add($"client {i}: [{who}]");
                        }
                    }

                    Interlocked.Increment(ref served);
                    await Task.Delay(5);
                }
            });

            await etcd.KillAsync();

            // Made while etcd is away: applied here at once, answered as always, queued for etcd.
            int aOnTwo = await ShowRows.IndexOfAsync(two.ControlSocket, a.Port);
            Assert.Equal($"channel {aOnTwo} disabled\n", await ControlQuery.RunAsync(two.ControlSocket, $"disable {aOnTwo}"));
            Assert.Equal("dis", await ShowRows.StateOfAsync(two.ControlSocket, a.Port));
            Assert.Equal("ENA", await ShowRows.StateOfAsync(one.ControlSocket, a.Port));
            await Poll.UntilAsync(() => two.Process.Stderr.Contains("etcd"), Propagation, "the outage logged");

            int servedBefore = Volatile.Read(ref served);
            await Poll.UntilAsync(() => Volatile.Read(ref served) > servedBefore + 20, Propagation, "clients served while etcd is down");

            await etcd.StartAgainAsync();
            await Poll.UntilAsync(async () => await ShowRows.StateOfAsync(one.ControlSocket, a.Port) == "dis", TimeSpan.FromSeconds(20), "the queued disable reaching instance 1");
            Assert.Equal("0", await etcd.GetAsync($"/balance/{cluster}/channels/0/127.0.0.1:{a.Port}/enabled"));

            // And the cluster works as before.
            int cOnOne = await ShowRows.IndexOfAsync(one.ControlSocket, c.Port);
            await ControlQuery.RunAsync(one.ControlSocket, $"disable {cOnOne}");
            await Poll.UntilAsync(async () => await ShowRows.StateOfAsync(two.ControlSocket, c.Port) == "dis", Propagation, "a change after the restart");

            stopTraffic.Cancel();
            await traffic;
            Assert.Empty(failures);
            Assert.True(served > 40, $"only {served} clients");
        }
        finally
        {
            backends.ForEach(x => x.Dispose());
        }
    }

    [NeedsToolsTheory("etcd")]
    [AllEngines]
    public async Task ThreeInstancesStartedAtDifferentTimesAgreeOnEveryClient(string engine)
    {
        var backends = Names.Select(n => new TestBackend(n)).ToList();
        using var created = new TestBackend("E");
        try
        {
            await using var etcd = await EtcdServer.StartAsync();
            string cluster = Cluster();
            await using var one = await StartAsync(engine, etcd, cluster, backends, hash: true);
            await using var two = await StartAsync(engine, etcd, cluster, Enumerable.Reverse(backends), hash: true);

            // Shared changes before the third starts: a channel created and enabled, another weighted.
            Assert.Equal("channel created\n", await ControlQuery.RunAsync(one.ControlSocket, $"create 127.0.0.1 {created.Port}"));
            int eOnOne = await ShowRows.IndexOfAsync(one.ControlSocket, created.Port);
            await ControlQuery.RunAsync(one.ControlSocket, $"enable {eOnOne}");
            await ControlQuery.RunAsync(two.ControlSocket, $"weight {await ShowRows.IndexOfAsync(two.ControlSocket, backends[3].Port)} 3");
            await Poll.UntilAsync(async () => await ShowRows.StateOfAsync(two.ControlSocket, created.Port) == "ENA", Propagation, "E on instance 2");

            await using var three = await StartAsync(engine, etcd, cluster, [backends[2], backends[0], backends[3], backends[1]], hash: true);
            Assert.Equal("ENA", await ShowRows.StateOfAsync(three.ControlSocket, created.Port));
            await Poll.UntilAsync(async () => (await ControlQuery.RunAsync(one.ControlSocket, "show json")).Contains("\"weight\":3"), Propagation, "the weight on instance 1");

            string[] viaOne = await MapAsync(one.Port);
            Assert.True(!viaOne.Contains(""), await ControlQuery.RunAsync(one.ControlSocket, "show") + one.Process.Stderr);
            Assert.Equal(viaOne, await MapAsync(two.Port));
            Assert.Equal(viaOne, await MapAsync(three.Port));
            Assert.All(Names.Append("E"), n => Assert.Contains(n, viaOne));
        }
        finally
        {
            backends.ForEach(x => x.Dispose());
        }
    }

    private static async Task<string[]> MapAsync(int port)
    {
        var backends = new string[250];
        for (int i = 0; i < backends.Length; i++)
        {
            backends[i] = await TestClient.WhoAnswersAsync(port, new IPAddress([127, 20, (byte)(i / 200), (byte)((i % 200) + 2)]));
        }

        return backends;
    }
}
