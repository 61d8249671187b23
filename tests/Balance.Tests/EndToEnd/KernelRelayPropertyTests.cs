using System.Net.Sockets;
using System.Security.Cryptography;
using Balance.Tests.Support;
using CsCheck;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// Data, FINs and resets from both ends of a pair in the kernel relay, in
/// random order: without a reset each end receives exactly what the other
/// sent, and the end after it; with one, each receives a beginning of what
/// the other sent, and the pair ends.
/// </summary>
public sealed class KernelRelayPropertyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public enum Kind
    {
        Data,
        Fin,
        Reset,
    }

    public sealed record Step(bool FromClient, Kind Kind, int Size, int PauseMs);

    private static readonly Gen<Step> AnyStep = Gen.Select(
        Gen.Bool,
        Gen.Frequency((8, Gen.Const(Kind.Data)), (3, Gen.Const(Kind.Fin)), (1, Gen.Const(Kind.Reset))),
        Gen.Int[1, 300_000],
        Gen.Int[0, 3],
        (fromClient, kind, size, pause) => new Step(fromClient, kind, size, pause));

    [KernelRelayFact]
    public async Task EachEndReceivesWhatTheOtherSentWhateverTheOrderOfDataFinsAndResets()
    {
        await using KernelRelayPairs relay = await KernelRelayPairs.StartAsync();
        await AnyStep.Array[1, 10].SampleAsync(steps => PlayAsync(relay, steps), iter: 50, threads: 1);
        await Poll.UntilAsync(async () => await relay.OpenConnectionsAsync() == 0, Wait, "every pair to end");
    }

    private static async Task PlayAsync(KernelRelayPairs relay, Step[] steps)
    {
        (Socket client, Socket backend) = await relay.OpenInKernelAsync();
        using (client)
        using (backend)
        {
            var atClient = new Reader(client);
            var atBackend = new Reader(backend);
            var sentByClient = new MemoryStream();
            var sentByBackend = new MemoryStream();
            bool clientEnded = false, backendEnded = false;
            bool? resetByClient = null;
            using var cancel = new CancellationTokenSource(Wait);
            foreach (Step step in steps)
            {
                Socket from = step.FromClient ? client : backend;
                ref bool ended = ref step.FromClient ? ref clientEnded : ref backendEnded;
                if (step.Kind == Kind.Reset)
                {
                    Traffic.Reset(from);
                    resetByClient = step.FromClient;
                    break;
                }

                if (ended)
                {
                    continue;
                }

                if (step.Kind == Kind.Fin)
                {
                    from.Shutdown(SocketShutdown.Send);
                    ended = true;
                }
                else
                {
                    byte[] data = RandomNumberGenerator.GetBytes(step.Size);
                    await from.SendAsync(data, SocketFlags.None, cancel.Token);
                    (step.FromClient ? sentByClient : sentByBackend).Write(data);
                }

                if (step.PauseMs > 0)
                {
                    await Task.Delay(step.PauseMs);
                }
            }

            if (resetByClient is null)
            {
                if (!clientEnded)
                {
                    client.Shutdown(SocketShutdown.Send);
                }

                if (!backendEnded)
                {
                    backend.Shutdown(SocketShutdown.Send);
                }

                Assert.True(await atBackend.EndsAsync(), "the backend's read ended with an error, not the FIN");
                Assert.True(await atClient.EndsAsync(), "the client's read ended with an error, not the FIN");
                Assert.Equal(Convert.ToHexString(SHA256.HashData(sentByClient.ToArray())), Convert.ToHexString(SHA256.HashData(atBackend.Received)));
                Assert.Equal(Convert.ToHexString(SHA256.HashData(sentByBackend.ToArray())), Convert.ToHexString(SHA256.HashData(atClient.Received)));
            }
            else
            {
                // The other end learns of the end (reset, or FIN) and has
                // received a beginning of what the resetting end sent.
                Reader other = resetByClient.Value ? atBackend : atClient;
                _ = await other.EndsAsync();
                byte[] got = other.Received;
                byte[] sent = (resetByClient.Value ? sentByClient : sentByBackend).ToArray();
                Assert.True(got.Length <= sent.Length && sent.AsSpan(0, got.Length).SequenceEqual(got), "what arrived is not a beginning of what was sent");
            }
        }
    }

    /// <summary>Reads one socket to its end in the background.</summary>
    private sealed class Reader
    {
        private readonly MemoryStream _received = new();
        private readonly Task<bool> _done;

        public Reader(Socket socket)
        {
            _done = Task.Run(() => ReadAsync(socket));
        }

        public byte[] Received
        {
            get
            {
                lock (_received)
                {
                    return _received.ToArray();
                }
            }
        }

        /// <summary>True when the read ended with the FIN, false with an error; throws past the wait.</summary>
        public Task<bool> EndsAsync() => _done.WaitAsync(Wait);

        private async Task<bool> ReadAsync(Socket socket)
        {
            byte[] buffer = new byte[128 * 1024];
            using var cancel = new CancellationTokenSource(Wait);
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
                {
                    lock (_received)
                    {
                        _received.Write(buffer, 0, n);
                    }
                }

                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
