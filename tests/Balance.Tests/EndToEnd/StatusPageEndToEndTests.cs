using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>The status page in headless Chromium, during traffic: the DOM it builds shows show's numbers.</summary>
public sealed partial class StatusPageEndToEndTests
{
    [NeedsToolsTheory("chromium")]
    [AllEngines]
    public async Task The_page_shows_each_channels_state_connections_and_totals(string engine)
    {
        var (proxy, httpPort) = await HttpProxy.StartAsync(engine, new ProxySetup
        {
            Backends = [new("a", TestBackend.Behaviour.Echo), new("b", TestBackend.Behaviour.Echo)],
            Channels = ["{a}:5", "{b}", "!", "[::1]:9"],
        });
        await using var _ = proxy;
        await MetricsEndToEndTests.ExchangeUntilAsync(proxy.Port, 5, CancellationToken.None);
        Assert.Contains("channel 0 disabled", (await proxy.ClientAsync("group 1\ndisable 0\n", "-i", proxy.PortText)).Stdout);

        // Two clients stay connected while the page is open: traffic in flight.
        using Socket first = await TestClient.ConnectAsync(proxy.Port);
        using Socket second = await TestClient.ConnectAsync(proxy.Port);
        await Traffic.EchoRoundsAsync(first, 1, 100, TimeSpan.FromSeconds(10));
        await Traffic.EchoRoundsAsync(second, 1, 100, TimeSpan.FromSeconds(10));
        IReadOnlyList<ShowRow> show = await Shell.ShowAsync(proxy.Port);

        string dom = await DumpDomAsync($"http://127.0.0.1:{httpPort}/");

        Assert.Contains("class=\"ok\">live<", dom);
        foreach (ShowRow row in show)
        {
            Match tr = Row(row.Group, row.Channel).Match(dom);
            Assert.True(tr.Success, $"no row for group {row.Group} channel {row.Channel} in the page: {dom}");
            string cells = tr.Groups[1].Value;
            Assert.Contains($"data-field=\"state\">{(row.Enabled ? "ENA" : "dis")}<", cells);
            Assert.Contains($"data-field=\"connections\">{row.Connections}<", cells);
            Assert.Contains($"/ {(row.MaxConnections > 0 ? row.MaxConnections.ToString() : "∞")}<", cells);
            Assert.Contains($"data-field=\"totalConnections\">{row.TotalConnections}<", cells);
            Assert.Contains($"data-value=\"{row.Sent}\"", cells);
            Assert.Contains($"data-value=\"{row.Received}\"", cells);
            Assert.Contains(row.Address.Contains(':') ? $"[{row.Address}]:{row.Port}<" : $"{row.Address}:{row.Port}<", cells);
        }

        Assert.Equal(2, show.Where(r => r.Group == 0).Sum(r => r.Connections));
        Assert.False(show.Single(r => r.Group == 1).Enabled);
    }

    /// <summary>Opens the page in headless Chromium long enough for it to fetch /status.json a few times, and returns the DOM it built.</summary>
    private static async Task<string> DumpDomAsync(string url)
    {
        DirectoryInfo profile = Directory.CreateTempSubdirectory("chromium-");
        try
        {
            string[] args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile.FullName}", "--virtual-time-budget=3000", "--dump-dom", url,
            ];
            ProcessResult result = await ProcessRun.RunAsync(ExternalTool.Require("chromium"), args, timeout: TimeSpan.FromSeconds(120));
            Assert.True(result.ExitCode == 0, $"chromium exited with {result.ExitCode}: {result.Stderr}");
            return result.Stdout;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static Regex Row(int group, int channel) =>
        new($"<tr data-group=\"{group}\" data-channel=\"{channel}\">(.*?)</tr>", RegexOptions.Singleline);
}
