using System.Globalization;
using System.Net.Sockets;
using Balance.Tests.Observability;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>--http on the real binary: /metrics under traffic (checked by promtool), /status.json, counters across reset, start-up errors.</summary>
public sealed class MetricsEndToEndTests
{
    /// <summary>Two echo backends and a channel where nothing listens, so connects fail over with "refused".</summary>
    private static ProxySetup EchoAndDead() => new()
    {
        Backends = [new("a", TestBackend.Behaviour.Echo), new("b", TestBackend.Behaviour.Echo)],
        Channels = ["{a}", $"127.0.0.1:{FreePort.Next()}", "{b}"],
    };

    [NeedsToolsTheory("promtool")]
    [AllEngines]
    public async Task A_scrape_under_traffic_passes_promtool_check_metrics(string engine)
    {
        var (proxy, httpPort) = await HttpProxy.StartAsync(engine, EchoAndDead());
        await using var _ = proxy;

        // Clients exchange data while the scrapes are taken.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task[] clients = Enumerable.Range(0, 4).Select(_ => ExchangeUntilAsync(proxy.Port, 50, stop.Token)).ToArray();
        var scrapes = new List<string>();
        while (scrapes.Count < 5 || clients.Any(c => !c.IsCompleted))
        {
            scrapes.Add(await HttpProxy.GetAsync(httpPort, "/metrics"));
            if (scrapes.Count > 200)
            {
                break;
            }
        }

        await Task.WhenAll(clients);
        foreach (string scrape in scrapes.Take(3).Append(scrapes[^1]))
        {
            ProcessResult check = await ProcessRun.RunAsync(ExternalTool.Require("promtool"), ["check", "metrics"], stdin: scrape);
            Assert.True(check.ExitCode == 0 && check.Stdout.Length == 0 && check.Stderr.Length == 0,
                $"promtool check metrics: exit {check.ExitCode}: {check.Stdout}{check.Stderr}");
        }

        // After the traffic, the counters are show's.
        var samples = Exposition.Parse(await HttpProxy.GetAsync(httpPort, "/metrics"));
        foreach (ShowRow row in await Shell.ShowAsync(proxy.Port))
        {
            (string, string)[] labels = [("group", "0"), ("channel", row.Channel.ToString(CultureInfo.InvariantCulture)), ("address", $"{row.Address}:{row.Port}")];
            Assert.Equal(row.TotalConnections, samples.Value("balance_channel_connections_total", labels));
            Assert.Equal(row.Sent, samples.Value("balance_channel_sent_bytes_total", labels));
            Assert.Equal(row.Received, samples.Value("balance_channel_received_bytes_total", labels));
        }

        Assert.Equal(200, samples.Sum(s => s.Name == "balance_channel_connections_total" ? s.Value : 0) - samples.Value("balance_channel_connections_total", ("channel", "1")));
        Assert.True(samples.Value("balance_channel_connect_failures_total", ("channel", "1"), ("reason", "refused")) > 0);
        Assert.Equal(200, samples.Where(s => s.Name == "balance_channel_connect_duration_seconds_count").Sum(s => s.Value));
    }

    /// <summary>
    /// balance_channel_up is written only while health checks run: 1 for the
    /// live channel, 0 once the dead one is DOWN; without --check there is no such family.
    /// </summary>
    [Theory]
    [AllEngines]
    public async Task Channel_up_follows_the_health_checks_and_only_with_them(string engine)
    {
        ProxySetup setup = EchoAndDead() with { Options = ["--check", "--check-interval", "0.2"] };
        var (proxy, httpPort) = await HttpProxy.StartAsync(engine, setup);
        await using var _ = proxy;

        await Poll.UntilAsync(
            async () => Exposition.Parse(await HttpProxy.GetAsync(httpPort, "/metrics")).Value("balance_channel_up", ("channel", "1")) == 0,
            TimeSpan.FromSeconds(15),
            "the dead channel to be reported down");
        var samples = Exposition.Parse(await HttpProxy.GetAsync(httpPort, "/metrics"));
        Assert.Equal(1, samples.Value("balance_channel_up", ("channel", "0")));
        Assert.Equal(1, samples.Value("balance_channel_up", ("channel", "2")));

        var (plain, plainHttpPort) = await HttpProxy.StartAsync(engine, EchoAndDead());
        await using var __ = plain;
        Assert.DoesNotContain("balance_channel_up", await HttpProxy.GetAsync(plainHttpPort, "/metrics"));
    }

    [Theory]
    [AllEngines]
    public async Task Counters_do_not_go_back_across_reset_and_created_channels_appear(string engine)
    {
        var (proxy, httpPort) = await HttpProxy.StartAsync(engine, EchoAndDead());
        await using var _ = proxy;
        await ExchangeUntilAsync(proxy.Port, 10, CancellationToken.None);
        var before = Exposition.Parse(await HttpProxy.GetAsync(httpPort, "/metrics"));

        Assert.Equal(0, (await proxy.ShellAsync("reset 0")).ExitCode);
        Assert.Equal(0, (await proxy.ShellAsync("create 127.0.0.1 9")).ExitCode);
        var after = Exposition.Parse(await HttpProxy.GetAsync(httpPort, "/metrics"));

        Assert.Equal(0, (await Shell.ChannelAsync(proxy.Port, 0, 0)).TotalConnections);
        foreach (string counter in new[] { "balance_channel_connections_total", "balance_channel_sent_bytes_total", "balance_channel_received_bytes_total" })
        {
            double was = before.Value(counter, ("channel", "0"));
            Assert.True(was > 0, counter);
            Assert.Equal(was, after.Value(counter, ("channel", "0")));
        }

        Assert.Equal(0, after.Value("balance_channel_enabled", ("channel", "3"), ("address", "127.0.0.1:9")));
    }

    [Theory]
    [AllEngines]
    public async Task Status_json_is_what_show_json_prints(string engine)
    {
        var (proxy, httpPort) = await HttpProxy.StartAsync(engine, EchoAndDead());
        await using var _ = proxy;
        await ExchangeUntilAsync(proxy.Port, 3, CancellationToken.None);

        string viaHttp = await HttpProxy.GetAsync(httpPort, "/status.json");
        ProcessResult viaShell = await proxy.ShellAsync("show json");

        Assert.Equal(viaShell.Stdout, viaHttp);
        Assert.Contains($"\"pid\":{proxy.Pid},", viaHttp);
    }

    [Theory]
    [AllEngines]
    public async Task A_taken_http_port_is_exit_71_and_a_bad_address_exit_64(string engine)
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port;
        Dictionary<string, string> environment = Engines.Environment(engine, TestRunDirectory.Shared.Environment);

        ProcessResult inUse = await BalanceProcess.RunAsync(["-f", "--http", $"127.0.0.1:{port}", FreePort.Next().ToString(CultureInfo.InvariantCulture), "127.0.0.1:9"], environment);
        ProcessResult bad = await BalanceProcess.RunAsync(["-f", "--http", "localhost:9100", "8080", "127.0.0.1:9"], environment);

        Assert.Equal(ExitCodes.OsError, inUse.ExitCode);
        Assert.Equal($"balance: --http: cannot listen on 127.0.0.1:{port}: Address already in use\n", inUse.Stderr);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Equal("balance: invalid --http address [localhost:9100], ADDR:PORT expected (127.0.0.1:9100, [::1]:9100)\n", bad.Stderr);
    }

    /// <summary>Connections through balance, each sending 1 KiB and reading its echo, then closing: <paramref name="count"/> of them, or until stopped.</summary>
    internal static async Task ExchangeUntilAsync(int port, int count, CancellationToken stop)
    {
        for (int i = 0; i < count && !stop.IsCancellationRequested; i++)
        {
            using Socket client = await TestClient.ConnectAsync(port);
            await Traffic.EchoRoundsAsync(client, 2, 512, TimeSpan.FromSeconds(20));
            client.Shutdown(SocketShutdown.Send);
            Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(20)));
        }
    }
}
