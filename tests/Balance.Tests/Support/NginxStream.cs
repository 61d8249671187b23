using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>
/// nginx with the stream module, listening with <c>proxy_protocol</c> on
/// loopback (IPv4 and IPv6, one port), in a temp directory with its own
/// configuration: each connection is answered with
/// <c>$proxy_protocol_addr:$proxy_protocol_port</c>, which it also logs.
/// Stopped by its own pid (SIGTERM, so its worker ends with it).
/// </summary>
internal sealed class NginxStream : IAsyncDisposable
{
    public const string Module = "/usr/lib/nginx/modules/ngx_stream_module.so";

    private readonly Process _process;
    private readonly string _directory;

    private NginxStream(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What nginx logged: one <c>addr:port</c> line per connection.</summary>
    public string AccessLog => File.Exists(Path.Combine(_directory, "access.log")) ? File.ReadAllText(Path.Combine(_directory, "access.log")) : "";

    /// <summary>Why these tests cannot run here, or null.</summary>
    public static string? WhyMissing() =>
        ExternalTool.WhyMissing(["nginx"]) ?? (File.Exists(Module) ? null : $"needs {Module} (Debian: apt-get install libnginx-mod-stream), not installed");

    public static async Task<NginxStream> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("balance-nginx-").FullName;
        int port = FreePort.Next();
        string p = port.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(directory, "nginx.conf"), $$"""
            load_module {{Module}};
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log;
            events { worker_connections 64; }
            stream {
                log_format client '$proxy_protocol_addr:$proxy_protocol_port';
                access_log {{directory}}/access.log client;
                server {
                    listen 127.0.0.1:{{p}} proxy_protocol;
                    listen [::1]:{{p}} proxy_protocol;
                    return "$proxy_protocol_addr:$proxy_protocol_port\n";
                }
            }
            """);
        var info = new ProcessStartInfo(ExternalTool.Require("nginx"))
        {
            ArgumentList = { "-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log"), "-g", "daemon off;" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var nginx = new NginxStream(Process.Start(info)!, directory, port);
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    if (nginx._process.HasExited)
                    {
                        throw new InvalidOperationException($"nginx exited: {File.ReadAllText(Path.Combine(directory, "error.log"))}");
                    }

                    using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
                        return true;
                    }
                    catch (SocketException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(20),
                "nginx to listen");
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }

        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Posix.Kill(_process.Id, 9);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // nginx may still hold a log open for a moment; the temp directory is left
        }
    }
}

/// <summary>A theory on every engine, skipped with the reason when nginx or its stream module is missing.</summary>
internal sealed class NeedsNginxStreamTheoryAttribute : TheoryAttribute
{
    public NeedsNginxStreamTheoryAttribute()
    {
        if (NginxStream.WhyMissing() is string reason)
        {
            Skip = reason;
        }
    }
}
