using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Balance.Tests.Support;

namespace Balance.Tests.Reliability;

/// <summary>A backend dies mid-stream: its clients see the end at once, the others go on, the slots come back.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BackendFailureTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);

    [Theory]
    [AllEngines]
    public async Task ABackendThatResetsMidStreamEndsItsClientsPromptlyAndSparesTheOthers(string engine)
    {
        using var streamer = new StreamBackend(length: -1);
        using var echo = new TestBackend("echo");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{streamer.Port}:4", "!", $"127.0.0.1:{echo.Port}");

        // Four clients fill the streaming channel (maxc 4); the next ones overflow
        // to the echo group. Each download is seen flowing before the next client
        // connects: with several event loops, connections are not routed in the
        // order they were made unless each is known to be routed.
        var downloads = new List<Download>();
        for (int i = 0; i < 4; i++)
        {
            var download = new Download(await TestClient.ConnectAsync(port), TimeSpan.FromSeconds(30));
            downloads.Add(download);
            await Poll.UntilAsync(() => download.Received > 0, TimeSpan.FromSeconds(10), "the download to start");
        }

        var others = new List<Socket>();
        for (int i = 0; i < 4; i++)
        {
            Socket other = await TestClient.ConnectAsync(port);
            Assert.Equal("echo", await TestClient.ReadLineAsync(other));
            others.Add(other);
        }

        await Poll.UntilAsync(() => downloads.All(d => d.Received > 1 << 20), TimeSpan.FromSeconds(10), "every download to be under way");
        using var stopEcho = new CancellationTokenSource();
        Task echoing = Task.WhenAll(others.Select(o => EchoUntilAsync(o, stopEcho.Token)));

        var clock = Stopwatch.StartNew();
        streamer.ResetAll();
        foreach (Download download in downloads)
        {
            Task ended = await Task.WhenAny(download.Completion, Task.Delay(Prompt));
            Assert.True(ended == download.Completion, $"a client of the reset backend still hangs after {clock.Elapsed.TotalSeconds:0.0} s");
        }

        stopEcho.Cancel();
        await echoing; // every echo round before and after the reset came back unchanged
        foreach (Socket other in others)
        {
            await Traffic.EchoRoundsAsync(other, rounds: 20, size: 4096, TestClient.ReadTimeout);
        }

        await ExpectConnectionsAsync(port, channel0: 0, echoGroup: 4);

        await ExpectFreedSlotsAsync(port, slots: 4);
        foreach (Download download in downloads)
        {
            download.Socket.Dispose();
        }

        foreach (Socket other in others)
        {
            other.Dispose();
        }
    }

    [Theory]
    [AllEngines]
    public async Task AKilledBackendProcessEndsItsClientsPromptlyAndSparesTheOthers(string engine)
    {
        // The backend is a process of its own (another balance in front of a
        // streaming server); SIGKILL makes its kernel end every connection.
        using var streamer = new StreamBackend(length: -1);
        using var echo = new TestBackend("echo");
        int backendPort = FreePort.Next();
        var backend = await BalanceProcess.StartProxyAsync(backendPort, Engines.Environment(engine), "-f", backendPort.ToString(), $"127.0.0.1:{streamer.Port}");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{backendPort}:2", "!", $"127.0.0.1:{echo.Port}");

        var downloads = new List<Download>();
        var uploads = new List<Task>();
        for (int i = 0; i < 2; i++)
        {
            Socket client = await TestClient.ConnectAsync(port);
            var download = new Download(client, TimeSpan.FromSeconds(30));
            downloads.Add(download);
            uploads.Add(UploadUntilBrokenAsync(client, TimeSpan.FromSeconds(30)));
            await Poll.UntilAsync(() => download.Received > 0, TimeSpan.FromSeconds(10), "the download to start");
        }

        Socket other = await TestClient.ConnectAsync(port);
        Assert.Equal("echo", await TestClient.ReadLineAsync(other));
        await Poll.UntilAsync(() => downloads.All(d => d.Received > 1 << 20), TimeSpan.FromSeconds(10), "both downloads to be under way");

        using (backend)
        {
            backend.Signal(Posix.SigKill);
            await backend.WaitForExitAsync(TimeSpan.FromSeconds(5));
        }

        var clock = Stopwatch.StartNew();
        foreach (Download download in downloads)
        {
            Task ended = await Task.WhenAny(download.Completion, Task.Delay(Prompt));
            Assert.True(ended == download.Completion, $"a client of the killed backend still hangs after {clock.Elapsed.TotalSeconds:0.0} s");
        }

        // A client that saw a FIN may still hold its side open; once it sends, it learns the rest.
        Task uploadsEnded = Task.WhenAll(uploads);
        Assert.True(await Task.WhenAny(uploadsEnded, Task.Delay(Prompt)) == uploadsEnded, "a client could still send to the killed backend");
        await Traffic.EchoRoundsAsync(other, rounds: 20, size: 4096, TestClient.ReadTimeout);
        await ExpectConnectionsAsync(port, channel0: 0, echoGroup: 1);

        // The killed backend's slots are free again once it is back.
        using var back = await BalanceProcess.StartProxyAsync(backendPort, Engines.Environment(engine), "-f", backendPort.ToString(), $"127.0.0.1:{streamer.Port}");
        await ExpectFreedSlotsAsync(port, slots: 2);
        foreach (Download download in downloads)
        {
            download.Socket.Dispose();
        }

        other.Dispose();
    }

    /// <summary>What <c>show</c> says c is for the first channel and for the echo group's channel.</summary>
    internal static async Task ExpectConnectionsAsync(int port, int channel0, int echoGroup)
    {
        await Poll.UntilAsync(
            async () => (await Shell.ChannelAsync(port, 0, 0)).Connections == channel0,
            TimeSpan.FromSeconds(5),
            $"c of group 0 channel 0 to be {channel0}");
        Assert.Equal(echoGroup, (await Shell.ChannelAsync(port, 1, 0)).Connections);
    }

    /// <summary>
    /// The first channel has maxc <paramref name="slots"/>: that many new
    /// clients reach it again (its c went back to 0) and the next overflows to
    /// the echo group (c is not below its true value either).
    /// </summary>
    internal static async Task ExpectFreedSlotsAsync(int port, int slots)
    {
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < slots; i++)
            {
                Socket client = await TestClient.ConnectAsync(port);
                held.Add(client);
                byte[] first = await Traffic.ReadExactlyAsync(client, 5, TestClient.ReadTimeout);
                Assert.Equal(Traffic.PatternStart(5), first);
            }

            Socket overflow = await TestClient.ConnectAsync(port);
            held.Add(overflow);
            Assert.Equal("echo", await TestClient.ReadLineAsync(overflow));
        }
        finally
        {
            foreach (Socket client in held)
            {
                client.Dispose();
            }
        }
    }

    private static async Task EchoUntilAsync(Socket socket, CancellationToken stop)
    {
        for (int round = 0; round < 10_000 && !stop.IsCancellationRequested; round++)
        {
            await Traffic.EchoRoundsAsync(socket, rounds: 1, size: 1024, TestClient.ReadTimeout);
        }
    }

    /// <summary>Sends small blocks until the connection breaks (bounded by <paramref name="timeout"/>).</summary>
    private static async Task UploadUntilBrokenAsync(Socket socket, TimeSpan timeout)
    {
        byte[] block = Encoding.ASCII.GetBytes(new string('u', 1024));
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                await socket.SendAsync(block, SocketFlags.None, cancel.Token);
                await Task.Delay(10, cancel.Token);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
