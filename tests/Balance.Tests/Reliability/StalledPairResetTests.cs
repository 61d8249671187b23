using System.Net;
using System.Net.Sockets;
using Balance.Tests.Support;

namespace Balance.Tests.Reliability;

/// <summary>
/// A reset ends the pair at once, also when it arrives together with data
/// that balance can read but not pass on. The order of events that once left
/// such pairs open for good is forced here instead of waited for: balance is
/// stopped (SIGSTOP) while each stalled backend takes some bytes (its socket
/// becomes writable again) and every client resets with data still queued
/// behind; when balance resumes, one wake-up brings it the backend's
/// "writable" first and the client's reset second. With the backlog just
/// flushed, the pair reads the client's queued bytes, stalls on the backend
/// again, and must still see the reset. The backends take different amounts,
/// so that some pairs land in each of the possible states.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class StalledPairResetTests
{
    private const int Pairs = 50;
    private const int DrainStep = 16 * 1024;

    [Theory]
    [AllEngines]
    public async Task AResetQueuedBehindDataWhileTheBackendStallsEndsThePair(string engine)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(Pairs);
        int backendPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{backendPort}");

        var clients = new List<Socket>();
        var backends = new List<Socket>();
        try
        {
            for (int i = 0; i < Pairs; i++)
            {
                clients.Add(await TestClient.ConnectAsync(port));
                using var accept = new CancellationTokenSource(TestClient.ReadTimeout);
                backends.Add(await listener.AcceptAsync(accept.Token));
            }

            foreach (Socket client in clients)
            {
                await Traffic.FillUntilStalledAsync(client);
            }

            Posix.Kill(balance.Pid, Posix.SigStop);
            try
            {
                for (int i = 0; i < Pairs; i++)
                {
                    await DrainAsync(backends[i], (i + 1) * DrainStep);
                }

                foreach (Socket client in clients)
                {
                    Traffic.Reset(client);
                }
            }
            finally
            {
                Posix.Kill(balance.Pid, Posix.SigCont);
            }

            await Poll.UntilAsync(
                () => TcpTable.Established(backendPort) == 0,
                TimeSpan.FromSeconds(10),
                $"balance to close its connections to the backend ({TcpTable.Established(backendPort)} of {Pairs} still open)");
            ShowRow channel = await Shell.ChannelAsync(port, 0, 0);
            Assert.Equal((0, Pairs), (channel.Connections, channel.TotalConnections));
            Assert.False(balance.HasExited);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            backends.ForEach(b => b.Dispose());
        }
    }

    /// <summary>Reads up to <paramref name="bytes"/> from a stalled backend's socket, until it has no more for a moment.</summary>
    private static async Task DrainAsync(Socket backend, int bytes)
    {
        byte[] buffer = new byte[64 * 1024];
        int read = 0;
        while (read < bytes)
        {
            using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                int n = await backend.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, bytes - read)), SocketFlags.None, quiet.Token);
                if (n == 0)
                {
                    return;
                }

                read += n;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
