using System.Net.Sockets;
using System.Text;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd.ScaleOut;

/// <summary>
/// <c>srv:</c> channels against a real dnsmasq on a loopback port: channels
/// that follow the record (one appears and takes traffic, one vanishes and is
/// drained while its long connection finishes), priorities as failover
/// groups, and a dead resolver keeping the last set.
/// </summary>
public sealed class SrvChannelsEndToEndTests
{
    private const string Name = "_bal._tcp.scale.test";
    private static readonly (string, string)[] Hosts = [("backends.scale.test", "127.0.0.1")];
    private static readonly TimeSpan Follow = TimeSpan.FromSeconds(15);

    private static DnsmasqServer.Srv Record(TestBackend backend, int priority = 0, int weight = 1) =>
        new(Name, "backends.scale.test", backend.Port, priority, weight);

    [NeedsToolsTheory("dnsmasq")]
    [AllEngines]
    public async Task ChannelsFollowTheRecordAndAVanishedOneIsDrainedNotCut(string engine)
    {
        using var a = new TestBackend("A");
        using var b = new TestBackend("B");
        using var c = new TestBackend("C");
        await using var dns = await DnsmasqServer.StartAsync([Record(a), Record(b)], Hosts);
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = ["--resolver", dns.Resolver],
            Channels = [$"srv:{Name}"],
        });

        List<ShowRow> rows = await ShowRows.ReadAsync(proxy.ControlSocket);
        Assert.Equal(["ENA", "ENA"], rows.Select(r => r.State));
        Assert.Equal(new[] { a.Port, b.Port }.Order(), rows.Select(r => r.Port).Order());

        // A long connection on B, open across the change.
        Socket? onB = null;
        for (int i = 0; i < 10 && onB is null; i++)
        {
            Socket s = await TestClient.ConnectAsync(proxy.Port);
            if (await TestClient.ReadLineAsync(s) == "B")
            {
                onB = s;
            }
            else
            {
                s.Dispose();
            }
        }

        Assert.NotNull(onB);
        using Socket longLived = onB!;
        int indexOfB = await ShowRows.IndexOfAsync(proxy.ControlSocket, b.Port);

        await dns.RestartAsync([Record(a), Record(c)], Hosts);
        await Poll.UntilAsync(async () => await ShowRows.StateOfAsync(proxy.ControlSocket, c.Port) == "ENA"
            && await ShowRows.StateOfAsync(proxy.ControlSocket, b.Port) == "dis", Follow, "C enabled and B drained");

        // B keeps its number (show and disable N stay meaningful); new clients go to A and C only.
        Assert.Equal(indexOfB, await ShowRows.IndexOfAsync(proxy.ControlSocket, b.Port));
        var seen = new HashSet<string>();
        for (int i = 0; i < 12; i++)
        {
            seen.Add(await TestClient.WhoAnswersAsync(proxy.Port));
        }

        Assert.Equal(["A", "C"], seen.Order());

        // The connection on B still relays and ends normally.
        await longLived.SendAsync(Encoding.ASCII.GetBytes("still here\n"), SocketFlags.None);
        Assert.Equal("still here\n", Encoding.ASCII.GetString(await TestClient.FinishAsync(longLived)));

        // It comes back: the same channel is enabled again, no new one made.
        await dns.RestartAsync([Record(a), Record(b), Record(c)], Hosts);
        await Poll.UntilAsync(async () => await ShowRows.StateOfAsync(proxy.ControlSocket, b.Port) == "ENA", Follow, "B back");
        Assert.Equal(3, (await ShowRows.ReadAsync(proxy.ControlSocket)).Count);
    }

    [NeedsToolsTheory("dnsmasq")]
    [AllEngines]
    public async Task PrioritiesAreFailoverGroupsAndWeightsAreChannelWeights(string engine)
    {
        using var a = new TestBackend("A");
        using var b = new TestBackend("B");
        using var backup = new TestBackend("backup");
        await using var dns = await DnsmasqServer.StartAsync([Record(a, 10, 3), Record(b, 10, 0), Record(backup, 20, 5000)], Hosts);
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = ["--resolver", dns.Resolver],
            Channels = [$"srv:{Name}:7"],
        });

        string json = await ControlQuery.RunAsync(proxy.ControlSocket, "show json");
        List<ShowRow> rows = await ShowRows.ReadAsync(proxy.ControlSocket);
        Assert.Equal(0, rows.Single(r => r.Port == a.Port).Group);
        Assert.Equal(0, rows.Single(r => r.Port == b.Port).Group);
        Assert.Equal(1, rows.Single(r => r.Port == backup.Port).Group);
        Assert.Contains("\"weight\":3", json);
        Assert.Contains("\"weight\":1000", json);
        Assert.Contains("\"maxConnections\":7", json);

        Assert.NotEqual("backup", await TestClient.WhoAnswersAsync(proxy.Port));
        await ControlQuery.RunAsync(proxy.ControlSocket, $"disable {rows.Single(r => r.Port == a.Port).Index}");
        await ControlQuery.RunAsync(proxy.ControlSocket, $"disable {rows.Single(r => r.Port == b.Port).Index}");
        Assert.Equal("backup", await TestClient.WhoAnswersAsync(proxy.Port));
    }

    [NeedsToolsTheory("dnsmasq")]
    [AllEngines]
    public async Task AFailingResolverKeepsTheLastSetAndIsLoggedOnce(string engine)
    {
        using var a = new TestBackend("A");
        using var b = new TestBackend("B");
        await using var dns = await DnsmasqServer.StartAsync([Record(a), Record(b)], Hosts);
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = ["--resolver", dns.Resolver],
            Channels = [$"srv:{Name}"],
        });

        await dns.StopAsync();
        await Poll.UntilAsync(() => proxy.Process.Stderr.Contains("SRV lookup of " + Name + " failed"), Follow, "the failure logged");

        // Several more lookups fail (one every 2 s); the set stays and the log says it once.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.All(await ShowRows.ReadAsync(proxy.ControlSocket), r => Assert.Equal("ENA", r.State));
        var seen = new HashSet<string>();
        for (int i = 0; i < 6; i++)
        {
            seen.Add(await TestClient.WhoAnswersAsync(proxy.Port));
        }

        Assert.Equal(["A", "B"], seen.Order());
        Assert.Single(proxy.Process.Stderr.Split('\n'), line => line.Contains("SRV lookup of " + Name + " failed"));
    }
}
