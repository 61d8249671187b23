using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>A real Prometheus server scrapes balance every second; its query API reports the connections the test made.</summary>
public sealed class PrometheusEndToEndTests
{
    [NeedsToolsTheory("prometheus")]
    [AllEngines]
    public async Task Prometheus_scrapes_balance_and_reports_the_connections_made(string engine)
    {
        var (proxy, httpPort) = await HttpProxy.StartAsync(engine, new ProxySetup
        {
            Backends = [new("a", TestBackend.Behaviour.Echo), new("b", TestBackend.Behaviour.Echo)],
        });
        await using var _ = proxy;
        const int connections = 7;
        await MetricsEndToEndTests.ExchangeUntilAsync(proxy.Port, connections, CancellationToken.None);

        DirectoryInfo directory = Directory.CreateTempSubdirectory("prometheus-");
        int prometheusPort = FreePort.Next();
        try
        {
            string config = Path.Combine(directory.FullName, "prometheus.yml");
            await File.WriteAllTextAsync(config, $"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: balance
                    static_configs:
                      - targets: ['127.0.0.1:{httpPort}']
                """);
            using Process prometheus = StartPrometheus(config, Path.Combine(directory.FullName, "data"), prometheusPort);
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                string query = $"http://127.0.0.1:{prometheusPort}/api/v1/query?query=" + Uri.EscapeDataString("sum(balance_channel_connections_total)");
                double? seen = null;
                await Poll.UntilAsync(
                    async () =>
                    {
                        Assert.False(prometheus.HasExited, "prometheus exited");
                        seen = await QueryAsync(http, query);
                        return seen == connections;
                    },
                    TimeSpan.FromSeconds(90),
                    $"prometheus to report {connections} connections (last answer: {seen?.ToString(CultureInfo.InvariantCulture) ?? "none"})");

                string up = $"http://127.0.0.1:{prometheusPort}/api/v1/query?query=" + Uri.EscapeDataString("up{job=\"balance\"}");
                Assert.Equal(1, await QueryAsync(http, up));
            }
            finally
            {
                Stop(prometheus);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Process StartPrometheus(string config, string data, int port)
    {
        var start = new ProcessStartInfo(ExternalTool.Require("prometheus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(config)!,
        };
        foreach (string arg in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=1h", "--log.level=warn",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The value of an instant query with one result; null while Prometheus has none (or is not up yet).</summary>
    private static async Task<double?> QueryAsync(HttpClient http, string url)
    {
        try
        {
            using JsonDocument answer = JsonDocument.Parse(await http.GetStringAsync(url));
            JsonElement result = answer.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 1
                ? double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGTERM by its pid, then SIGKILL if it lingers.</summary>
    private static void Stop(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        Posix.Kill(process.Id, Posix.SigTerm);
        if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }
}
