using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Balance.Tests.Support;

/// <summary>
/// A real single-member etcd on loopback ports of its own with a temp data
/// directory, stopped by its own pid. <see cref="Kill"/> and
/// <see cref="StartAgainAsync"/> take it away and bring it back with its data,
/// as a crash and a restart would.
/// </summary>
internal sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("balance-etcd-").FullName;
    private readonly int _peerPort = FreePort.Next();
    private readonly StringBuilder _output = new();
    private Process? _process;

    private EtcdServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>The argument of balance's --etcd.</summary>
    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<EtcdServer> StartAsync()
    {
        var server = new EtcdServer(FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        string peer = $"http://127.0.0.1:{_peerPort.ToString(CultureInfo.InvariantCulture)}";
        var info = new ProcessStartInfo(ExternalTool.Require("etcd"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[]
        {
            "--name", "test", "--data-dir", Path.Combine(_directory, "data"),
            "--listen-client-urls", Url, "--advertise-client-urls", Url,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"test={peer}", "--log-level", "error",
        })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Poll.UntilAsync(AnswersAsync, TimeSpan.FromSeconds(30), "etcd answering");
    }

    /// <summary>SIGKILL by its pid: no goodbye to the watchers.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            Posix.Kill(_process.Id, Posix.SigKill);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>A key's value as etcd holds it now, or null.</summary>
    public async Task<string?> GetAsync(string key)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string body = $"{{\"key\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(key))}\"}}";
        using HttpResponseMessage response = await http.PostAsync(Url + "/v3/kv/range", new StringContent(body));
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.TryGetProperty("kvs", out var kvs)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(kvs[0].GetProperty("value").GetString()!))
            : null;
    }

    private async Task<bool> AnswersAsync()
    {
        if (_process is null || _process.HasExited)
        {
            throw new InvalidOperationException("etcd exited: " + Output);
        }

        try
        {
            _ = await GetAsync("/ready");
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
