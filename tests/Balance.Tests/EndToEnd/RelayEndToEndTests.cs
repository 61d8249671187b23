using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>Bytes through the real binary: integrity, half-close, idle timeout, packet dump, bind options.</summary>
public sealed class RelayEndToEndTests
{
    [Theory]
    [AllEngines]
    public async Task TwentyMegabytesEachWayArriveUnchanged(string engine)
    {
        using var echo = new TestBackend("echo", TestBackend.Behaviour.Echo);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-fd", port.ToString(), $"127.0.0.1:{echo.Port}");

        byte[] payload = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        using Socket client = await TestClient.ConnectAsync(port);
        Task<byte[]> reading = TestClient.ReadToEndAsync(client, TimeSpan.FromSeconds(60));
        await client.SendAsync(payload, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        byte[] echoed = await reading;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
        if (engine == Engines.Epoll)
        {
            Assert.Contains("zero-copy relay group 0 channel 0 client to channel", balance.Stderr);
            Assert.Contains("zero-copy relay group 0 channel 0 channel to client", balance.Stderr);
        }
    }

    [Theory]
    [AllEngines]
    public async Task HalfCloseIsPassedOnAndTheWholeReplyArrives(string engine)
    {
        using var backend = new TestBackend("eof", TestBackend.Behaviour.ReplyAfterEof)
        {
            ReplyFor = received => Encoding.ASCII.GetBytes($"got {received.Length} bytes: " + new string('r', 300_000)),
        };
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{backend.Port}");

        using Socket client = await TestClient.ConnectAsync(port);
        await client.SendAsync(new byte[12345], SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        string reply = Encoding.ASCII.GetString(await TestClient.ReadToEndAsync(client));

        Assert.StartsWith("got 12345 bytes: ", reply);
        Assert.Equal("got 12345 bytes: ".Length + 300_000, reply.Length);
    }

    [Theory]
    [AllEngines]
    public async Task IdleTimeoutClosesAQuietPairButNotABusyOne(string engine)
    {
        using var echo = new TestBackend("echo", TestBackend.Behaviour.Echo);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", "-T", "1", port.ToString(), $"127.0.0.1:{echo.Port}");

        using Socket quiet = await TestClient.ConnectAsync(port);
        using Socket busy = await TestClient.ConnectAsync(port);
        Task<bool> quietClosed = TestClient.IsClosedByPeerAsync(quiet, TimeSpan.FromSeconds(8));
        byte[] ping = "ping"u8.ToArray();
        byte[] pong = new byte[4];
        for (int i = 0; i < 8 && !quietClosed.IsCompleted; i++)
        {
            await busy.SendAsync(ping, SocketFlags.None);
            Assert.Equal(4, await busy.ReceiveAsync(pong, SocketFlags.None));
            await Task.WhenAny(quietClosed, Task.Delay(400));
        }

        Assert.True(await quietClosed, "the idle connection was not closed");
        await busy.SendAsync(ping, SocketFlags.None);
        using var timeout = new CancellationTokenSource(TestClient.ReadTimeout);
        Assert.Equal(4, await busy.ReceiveAsync(pong, SocketFlags.None, timeout.Token));
    }

    [Theory]
    [AllEngines]
    public async Task PacketDumpPrintsEachChunkInTheReadableFormat(string engine)
    {
        using var echo = new TestBackend("echo", TestBackend.Behaviour.Echo);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-fp", port.ToString(), $"127.0.0.1:{echo.Port}");

        using (Socket client = await TestClient.ConnectAsync(port))
        {
            await client.SendAsync("a\\b\n\u0001"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
            await TestClient.ReadToEndAsync(client);
        }

        await Poll.UntilAsync(() => balance.Stdout.Contains("-< 5\n"), TimeSpan.FromSeconds(10), "the dump of the reply");
        Assert.Contains("-> 5\na\\\\b\\0A\n\\01\n", balance.Stdout);
        Assert.Contains("-< 5\na\\\\b\\0A\n\\01\n", balance.Stdout);
    }

    [Theory]
    [AllEngines]
    public async Task OutgoingConnectionsStartFromTheBAddress(string engine)
    {
        using var echo = new TestBackend("echo");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", "-B", "127.0.0.2", port.ToString(), $"127.0.0.1:{echo.Port}");

        Assert.Equal("echo", await TestClient.WhoAnswersAsync(port));
        Assert.True(echo.ClientAddresses.TryDequeue(out IPAddress? from));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), from);
    }

    [Theory]
    [AllEngines]
    public async Task ListenerBindsOnlyTheBAddressWhenGiven(string engine)
    {
        using var echo = new TestBackend("echo");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", "-b", "127.0.0.3", port.ToString(), $"127.0.0.1:{echo.Port}");

        await Assert.ThrowsAnyAsync<SocketException>(() => TestClient.ConnectAsync(port));
        using Socket client = await TestClient.ConnectAsync(port, to: IPAddress.Parse("127.0.0.3"));
        Assert.Equal("echo", await TestClient.ReadLineAsync(client));
    }

    [Theory]
    [AllEngines]
    public async Task IPv6ClientsAndIPv6ChannelsWork(string engine)
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        using var v6 = new TestBackend("v6", address: IPAddress.IPv6Loopback);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", port.ToString(), $"[::1]:{v6.Port}");

        using Socket overV6 = await TestClient.ConnectAsync(port, to: IPAddress.IPv6Loopback);
        Assert.Equal("v6", await TestClient.ReadLineAsync(overV6));
        using Socket overV4 = await TestClient.ConnectAsync(port);
        Assert.Equal("v6", await TestClient.ReadLineAsync(overV4));
    }
}
