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
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = [new("echo", TestBackend.Behaviour.Echo)], Options = ["-d"] });

        byte[] payload = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        using Socket client = await TestClient.ConnectAsync(proxy.Port);
        Task<byte[]> reading = TestClient.ReadToEndAsync(client, TimeSpan.FromSeconds(60));
        await client.SendAsync(payload, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        byte[] echoed = await reading;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
        if (engine == Engines.Epoll)
        {
            Assert.Contains("zero-copy relay group 0 channel 0 client to channel", proxy.Process.Stderr);
            Assert.Contains("zero-copy relay group 0 channel 0 channel to client", proxy.Process.Stderr);
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
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Channels = [backend.Channel] });

        using Socket client = await TestClient.ConnectAsync(proxy.Port);
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
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = [new("echo", TestBackend.Behaviour.Echo)], Options = ["-T", "1"] });

        using Socket quiet = await TestClient.ConnectAsync(proxy.Port);
        using Socket busy = await TestClient.ConnectAsync(proxy.Port);
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
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = [new("echo", TestBackend.Behaviour.Echo)], Options = ["-p"] });
        BalanceProcess balance = proxy.Process;

        using (Socket client = await TestClient.ConnectAsync(proxy.Port))
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
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["echo"], Options = ["-B", "127.0.0.2"] });

        Assert.Equal("echo", await TestClient.WhoAnswersAsync(proxy.Port));
        Assert.True(proxy["echo"].ClientAddresses.TryDequeue(out IPAddress? from));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), from);
    }

    [Theory]
    [AllEngines]
    public async Task ListenerBindsOnlyTheBAddressWhenGiven(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["echo"], Options = ["-b", "127.0.0.3"] });

        await Assert.ThrowsAnyAsync<SocketException>(() => TestClient.ConnectAsync(proxy.Port));
        using Socket client = await TestClient.ConnectAsync(proxy.Port, to: IPAddress.Parse("127.0.0.3"));
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
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Channels = [$"[::1]:{v6.Port}"] });

        using Socket overV6 = await TestClient.ConnectAsync(proxy.Port, to: IPAddress.IPv6Loopback);
        Assert.Equal("v6", await TestClient.ReadLineAsync(overV6));
        using Socket overV4 = await TestClient.ConnectAsync(proxy.Port);
        Assert.Equal("v6", await TestClient.ReadLineAsync(overV4));
    }
}
