using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Balance.Tests.Support;

/// <summary>
/// balance with the kernel relay in front of a listener the test holds, so
/// that a test owns both ends of every relayed pair: the client socket and
/// the backend's accepted socket. <see cref="OpenInKernelAsync"/> talks a
/// pair into the kernel relay (a request, its answer, the next request) and
/// waits for balance's -d line saying it is there.
/// </summary>
internal sealed class KernelRelayPairs : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TcpListener _backend;
    private int _entered;

    private KernelRelayPairs(TcpListener backend, ProxyFixture proxy)
    {
        _backend = backend;
        Proxy = proxy;
    }

    public ProxyFixture Proxy { get; }

    /// <summary>Starts balance -d with the kernel relay and <paramref name="options"/>, in front of a fresh listener.</summary>
    public static async Task<KernelRelayPairs> StartAsync(params string[] options)
    {
        var backend = new TcpListener(IPAddress.Loopback, 0);
        backend.Start(512);
        try
        {
            int port = ((IPEndPoint)backend.LocalEndpoint).Port;
            ProxyFixture proxy = await ProxyFixture.StartAsync(
                Engines.Kernel, new ProxySetup { Channels = [$"127.0.0.1:{port}"], Options = ["-d", .. options] });
            return new KernelRelayPairs(backend, proxy);
        }
        catch
        {
            backend.Stop();
            throw;
        }
    }

    /// <summary>A relayed pair, still in user space: the client's socket and the backend's.</summary>
    public async Task<(Socket Client, Socket Backend)> OpenAsync()
    {
        Socket client = await TestClient.ConnectAsync(Proxy.Port);
        using var timeout = new CancellationTokenSource(Wait);
        Socket backend = await _backend.AcceptSocketAsync(timeout.Token);
        return (client, backend);
    }

    /// <summary>A relayed pair that balance has moved into the kernel relay.</summary>
    public async Task<(Socket Client, Socket Backend)> OpenInKernelAsync()
    {
        (Socket client, Socket backend) = await OpenAsync();
        await TurnAsync(client, backend, "GET /1\n"u8.ToArray());
        await TurnAsync(backend, client, "200 one\n"u8.ToArray());
        await TurnAsync(client, backend, "GET /2\n"u8.ToArray());
        int entered = Interlocked.Increment(ref _entered);
        await Poll.UntilAsync(() => Count(Proxy.Process.Stderr, "kernel relay group 0 channel 0") >= entered, Wait, "the pair to enter the kernel relay");
        return (client, backend);
    }

    /// <summary>sent and rcvd of channel 0 as <c>show json</c> gives them.</summary>
    public async Task<(long Sent, long Received)> CountersAsync()
    {
        ProcessResult result = await Proxy.ShellAsync("show json");
        using JsonDocument doc = JsonDocument.Parse(result.Stdout);
        JsonElement channel = doc.RootElement.GetProperty("groups")[0].GetProperty("channels")[0];
        return (channel.GetProperty("bytesSent").GetInt64(), channel.GetProperty("bytesReceived").GetInt64());
    }

    /// <summary>Connections open on channel 0 (the <c>c</c> column).</summary>
    public async Task<int> OpenConnectionsAsync()
    {
        ProcessResult result = await Proxy.ShellAsync("show json");
        using JsonDocument doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.GetProperty("groups")[0].GetProperty("channels")[0].GetProperty("connections").GetInt32();
    }

    private static async Task TurnAsync(Socket from, Socket to, byte[] message)
    {
        await from.SendAsync(message, SocketFlags.None);
        byte[] got = await Traffic.ReadExactlyAsync(to, message.Length, Wait);
        if (!got.AsSpan().SequenceEqual(message))
        {
            throw new InvalidDataException("a warm-up message came through changed");
        }
    }

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        _backend.Stop();
    }
}
