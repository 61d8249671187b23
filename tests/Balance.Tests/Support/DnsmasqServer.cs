using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>
/// A real dnsmasq on 127.0.0.1 and a port of its own, answering only the
/// records a test gives (no upstream, no hosts file, no config file); stopped
/// by its own pid. <see cref="RestartAsync"/> starts it again on the same port
/// with other records, as an operator changing a zone would.
/// </summary>
internal sealed class DnsmasqServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("balance-dnsmasq-").FullName;
    private Process? _process;

    private DnsmasqServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>The argument of balance's --resolver.</summary>
    public string Resolver => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>An SRV record: name, target, port, priority, weight.</summary>
    public readonly record struct Srv(string Name, string Target, int Port, int Priority = 0, int Weight = 1);

    public static async Task<DnsmasqServer> StartAsync(IReadOnlyList<Srv> records, IReadOnlyList<(string Host, string Address)> hosts)
    {
        var server = new DnsmasqServer(FreePort.Next());
        await server.RunAsync(records, hosts);
        return server;
    }

    public async Task RestartAsync(IReadOnlyList<Srv> records, IReadOnlyList<(string Host, string Address)> hosts)
    {
        await StopAsync();
        await RunAsync(records, hosts);
    }

    /// <summary>Ends dnsmasq (SIGTERM by its pid): lookups fail until a restart.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            Posix.Kill(_process.Id, Posix.SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task RunAsync(IReadOnlyList<Srv> records, IReadOnlyList<(string Host, string Address)> hosts)
    {
        var info = new ProcessStartInfo(ExternalTool.Require("dnsmasq"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[]
        {
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces",
            "--listen-address=127.0.0.1", $"--port={Port}", $"--pid-file={Path.Combine(_directory, "dnsmasq.pid")}",
            "--user=" + Environment.UserName, "--local-ttl=0",
        })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (Srv r in records)
        {
            info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--srv-host={r.Name},{r.Target},{r.Port},{r.Priority},{r.Weight}"));
        }

        foreach ((string host, string address) in hosts)
        {
            info.ArgumentList.Add($"--host-record={host},{address}");
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Poll.UntilAsync(() => AnswersAsync(records.Count > 0 ? records[0].Name : "none.test"), TimeSpan.FromSeconds(10), "dnsmasq answering");
    }

    /// <summary>True once dnsmasq answers a query on its UDP port.</summary>
    private async Task<bool> AnswersAsync(string name)
    {
        if (_process is null || _process.HasExited)
        {
            throw new InvalidOperationException("dnsmasq exited");
        }

        try
        {
            var lookup = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(new DnsClient.NameServer(IPAddress.Loopback, Port))
            {
                UseCache = false,
                Timeout = TimeSpan.FromMilliseconds(300),
                Retries = 0,
                ThrowDnsErrors = false,
            });
            DnsClient.IDnsQueryResponse response = await lookup.QueryAsync(name, DnsClient.QueryType.SRV);
            return !response.HasError || response.Header.ResponseCode != DnsClient.DnsHeaderResponseCode.ServerFailure;
        }
        catch (DnsClient.DnsResponseException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
