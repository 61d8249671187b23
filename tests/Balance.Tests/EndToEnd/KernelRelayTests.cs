using System.Net.Sockets;
using System.Security.Cryptography;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// The kernel relay (--kernel-relay): which pairs enter it, and that every
/// rule of the user-space relay still holds once the kernel moves the bytes:
/// every byte in order both ways, the FIN after them, resets, -T and
/// --fin-timeout, and the channel's byte counters.
/// </summary>
public sealed class KernelRelayTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [KernelRelayFact]
    public async Task AKeptAlivePairEntersTheKernelAndAConnectionPerRequestDoesNot()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync();

        (Socket client, Socket backend) = await relay.OpenAsync();
        using (client)
        using (backend)
        {
            await client.SendAsync("GET /\n"u8.ToArray(), SocketFlags.None);
            await Traffic.ReadExactlyAsync(backend, 6, Long);
            await backend.SendAsync("200 ok\n"u8.ToArray(), SocketFlags.None);
            backend.Shutdown(SocketShutdown.Send);
            Assert.Equal(7, (await TestClient.ReadToEndAsync(client)).Length);
        }

        await Poll.UntilAsync(async () => await relay.OpenConnectionsAsync() == 0, Long, "the pair to end");
        Assert.Contains("kernel relay loaded", relay.Proxy.Process.Stderr);
        Assert.DoesNotContain("kernel relay group", relay.Proxy.Process.Stderr);

        (Socket keptClient, Socket keptBackend) = await relay.OpenInKernelAsync(); // waits for the line
        keptClient.Dispose();
        keptBackend.Dispose();
    }

    [KernelRelayFact]
    public async Task WithAPacketDumpEveryPairStaysInUserSpace()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync("-p");
        (Socket client, Socket backend) = await relay.OpenAsync();
        using (client)
        using (backend)
        {
            foreach (string message in new[] { "GET /1\n", "GET /2\n", "GET /3\n" })
            {
                await client.SendAsync(System.Text.Encoding.ASCII.GetBytes(message), SocketFlags.None);
                await Traffic.ReadExactlyAsync(backend, message.Length, Long);
                await backend.SendAsync("200 ok\n"u8.ToArray(), SocketFlags.None);
                await Traffic.ReadExactlyAsync(client, 7, Long);
            }

            await Poll.UntilAsync(() => relay.Proxy.Process.Stdout.Contains("GET /3"), Long, "the dump of the third request");
        }

        Assert.Contains("kernel relay not used with -p", relay.Proxy.Process.Stderr);
        Assert.DoesNotContain("kernel relay group", relay.Proxy.Process.Stderr);
    }

    [KernelRelayFact]
    public Task SixteenMegabytesEachWayAtOnceArriveExactlyAndTheFinAfterThem() => ExchangeAsync(16L << 20);

    [KernelRelayFact]
    [Trait("Category", "Stress")]
    public Task OneGigabyteEachWayAtOnceArrivesExactly() => ExchangeAsync(1L << 30);

    [KernelRelayFact]
    public async Task HalfClosesUnderLoadComeAfterEveryByteBeforeThem()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync();
        var pairs = new List<(Socket Client, Socket Backend)>();
        for (int i = 0; i < 8; i++)
        {
            pairs.Add(await relay.OpenInKernelAsync());
        }

        await Task.WhenAll(pairs.Select(async pair =>
        {
            using Socket client = pair.Client;
            using Socket backend = pair.Backend;

            // The client's upload and its FIN at once; the backend answers
            // only after the FIN, with what it counted.
            Task<(long, byte[])> upload = Task.Run(() => SendAsync(client, 4 << 20, seed: 1, finish: true));
            (long received, byte[] hash) = await ReceiveAsync(backend);
            AssertSame(await upload, (received, hash));

            Task<(long, byte[])> reply = Task.Run(() => SendAsync(backend, 1 << 20, seed: 2, finish: true));
            (long, byte[]) replied = await ReceiveAsync(client);
            AssertSame(await reply, replied);
        }));

        await Poll.UntilAsync(async () => await relay.OpenConnectionsAsync() == 0, Long, "every pair to end");
    }

    [KernelRelayFact]
    public async Task AClientResetMidStreamResetsTheBackendAndEndsThePair()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync();
        (Socket client, Socket backend) = await relay.OpenInKernelAsync();
        using (backend)
        {
            Task<Exception?> streaming = StreamUntilFailureAsync(backend);
            await Traffic.ReadExactlyAsync(client, 1 << 20, Long);
            Traffic.Reset(client);

            Assert.NotNull(await streaming.WaitAsync(Long));
            await Poll.UntilAsync(async () => await relay.OpenConnectionsAsync() == 0, Long, "the pair to end");
        }
    }

    [KernelRelayFact]
    public async Task ABackendResetMidStreamResetsTheClientAndEndsThePair()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync();
        (Socket client, Socket backend) = await relay.OpenInKernelAsync();
        using (client)
        {
            Task<Exception?> streaming = StreamUntilFailureAsync(client);
            await Traffic.ReadExactlyAsync(backend, 1 << 20, Long);
            Traffic.Reset(backend);

            Assert.NotNull(await streaming.WaitAsync(Long));
            await Poll.UntilAsync(async () => await relay.OpenConnectionsAsync() == 0, Long, "the pair to end");
        }
    }

    [KernelRelayFact]
    public async Task IdleTimeoutSeesTheKernelsTrafficAndClosesTheQuietPair()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync("-T", "2");
        (Socket client, Socket backend) = await relay.OpenInKernelAsync();
        using (client)
        using (backend)
        {
            // Five seconds of traffic that only the kernel relays: balance
            // reads its counts, so -T 2 must not fire.
            byte[] block = RandomNumberGenerator.GetBytes(1024);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(5))
            {
                await client.SendAsync(block, SocketFlags.None);
                Assert.Equal(block, await Traffic.ReadExactlyAsync(backend, block.Length, Long));
                await Task.Delay(200);
            }

            await client.SendAsync(block, SocketFlags.None);
            Assert.Equal(block, await Traffic.ReadExactlyAsync(backend, block.Length, Long));

            Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(15)), "the quiet pair was not closed");
        }
    }

    [KernelRelayFact]
    public async Task FinTimeoutClosesASilentHalfClosedPair()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync("--fin-timeout", "1");
        (Socket client, Socket backend) = await relay.OpenInKernelAsync();
        using (client)
        using (backend)
        {
            client.Shutdown(SocketShutdown.Send);
            Assert.Empty(await TestClient.ReadToEndAsync(backend, Long)); // the FIN came through

            Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(15)), "the half-closed pair was not closed");
        }
    }

    /// <summary>Both ends send <paramref name="size"/> bytes and their FIN at once; each must read all the other sent, then the end.</summary>
    private static async Task ExchangeAsync(long size)
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync();
        (long Sent, long Received) before = await relay.CountersAsync();
        (Socket client, Socket backend) = await relay.OpenInKernelAsync();
        using (client)
        using (backend)
        {
            Task<(long, byte[])> up = Task.Run(() => SendAsync(client, size, seed: 1, finish: true));
            Task<(long, byte[])> down = Task.Run(() => SendAsync(backend, size, seed: 2, finish: true));
            Task<(long, byte[])> atBackend = Task.Run(() => ReceiveAsync(backend));
            Task<(long, byte[])> atClient = Task.Run(() => ReceiveAsync(client));

            AssertSame(await up, await atBackend);
            AssertSame(await down, await atClient);
        }

        // The warm-up was 7 + 7 bytes up and 8 down.
        await Poll.UntilAsync(async () => await relay.OpenConnectionsAsync() == 0, Long, "the pair to end");
        (long sent, long received) = await relay.CountersAsync();
        Assert.Equal(size + 14, sent - before.Sent);
        Assert.Equal(size + 8, received - before.Received);
    }

    private static void AssertSame((long Count, byte[] Hash) sent, (long Count, byte[] Hash) received)
    {
        Assert.Equal(sent.Count, received.Count);
        Assert.Equal(Convert.ToHexString(sent.Hash), Convert.ToHexString(received.Hash));
    }

    /// <summary>
    /// Sends <paramref name="size"/> bytes in 64 KiB blocks, each different
    /// (so a reordered block would change the hash), then the FIN when asked.
    /// </summary>
    internal static async Task<(long Count, byte[] Hash)> SendAsync(Socket socket, long size, int seed, bool finish)
    {
        byte[] block = new byte[64 * 1024];
        new Random(seed).NextBytes(block);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        long sent = 0;
        for (long index = 0; sent < size; index++)
        {
            BitConverter.TryWriteBytes(block, index);
            int length = (int)Math.Min(block.Length, size - sent);
            await socket.SendAsync(block.AsMemory(0, length), SocketFlags.None, cancel.Token);
            hash.AppendData(block, 0, length);
            sent += length;
        }

        if (finish)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        return (sent, hash.GetHashAndReset());
    }

    /// <summary>Reads to the end; what came and its SHA-256.</summary>
    internal static async Task<(long Count, byte[] Hash)> ReceiveAsync(Socket socket)
    {
        byte[] buffer = new byte[256 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        long received = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            received += n;
        }

        return (received, hash.GetHashAndReset());
    }

    /// <summary>Sends until a send fails (bounded to 4 GiB); the failure, or null if none came.</summary>
    private static Task<Exception?> StreamUntilFailureAsync(Socket socket) => Task.Run(async () =>
    {
        byte[] block = new byte[64 * 1024];
        using var cancel = new CancellationTokenSource(Long);
        try
        {
            for (int i = 0; i < 65536; i++)
            {
                await socket.SendAsync(block, SocketFlags.None, cancel.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return e is OperationCanceledException ? null : e;
        }

        return null;
    });
}
