using System.Net.Sockets;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --fin-timeout: a half-closed pair that has gone silent is closed; one whose
/// other direction still moves bytes is not.
/// </summary>
public sealed class FinTimeoutTests
{
    /// <summary>
    /// The backend goes away (its FIN reaches the client), and the client never
    /// closes its side: without a bound the pair would stay open for ever. The
    /// client's last bytes are relayed after the FIN, so the pair cannot close
    /// before a whole --fin-timeout of silence from then: a lower bound on
    /// time, which a busy machine can only lengthen.
    /// </summary>
    [Theory]
    [AllEngines]
    public async Task AHalfClosedPairThatGoesSilentIsClosed(string engine)
    {
        using var backend = new TestBackend("sink", TestBackend.Behaviour.Silent);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "--fin-timeout", "1", port.ToString(), $"127.0.0.1:{backend.Port}");

        using Socket client = await TestClient.ConnectAsync(port);
        await Poll.UntilAsync(() => backend.Accepted == 1, TimeSpan.FromSeconds(10), "the backend to take the connection");
        backend.FinishAll();
        Assert.Equal(0, await client.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TestClient.ReadTimeout));

        var sinceLastBytes = System.Diagnostics.Stopwatch.StartNew();
        await client.SendAsync("last words"u8.ToArray(), SocketFlags.None);
        await Poll.UntilAsync(
            async () => (await Shell.ChannelAsync(port, 0, 0)).Connections == 0,
            TimeSpan.FromSeconds(15),
            "the half-closed pair to be closed");
        Assert.True(sinceLastBytes.Elapsed >= TimeSpan.FromSeconds(1), $"closed after {sinceLastBytes.ElapsedMilliseconds} ms, before a second of silence");
        Assert.Equal(10, (await Shell.ChannelAsync(port, 0, 0)).Sent);
    }

    /// <summary>
    /// The client half-closes at once and the backend answers slowly, for
    /// longer than the limit: only silence counts, so the reply arrives whole.
    /// </summary>
    [Theory]
    [AllEngines]
    public async Task AReplyStillFlowingAfterAFinIsNotCut(string engine)
    {
        using var slow = new SlowReplyBackend(chunks: 12, interval: TimeSpan.FromMilliseconds(250));
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "--fin-timeout", "1", port.ToString(), $"127.0.0.1:{slow.Port}");

        using Socket client = await TestClient.ConnectAsync(port);
        client.Shutdown(SocketShutdown.Send);
        byte[] reply = await TestClient.ReadToEndAsync(client, TimeSpan.FromSeconds(20));
        Assert.Equal(slow.Reply, reply);
    }

    /// <summary>Accepts one connection and sends <c>chunks</c> small pieces at an interval, then closes.</summary>
    private sealed class SlowReplyBackend : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();
        private readonly byte[][] _chunks;

        public SlowReplyBackend(int chunks, TimeSpan interval)
        {
            _chunks = Enumerable.Range(0, chunks).Select(i => System.Text.Encoding.ASCII.GetBytes($"chunk {i}\n")).ToArray();
            Reply = _chunks.SelectMany(c => c).ToArray();
            _listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            _listener.Listen(1);
            Port = ((System.Net.IPEndPoint)_listener.LocalEndPoint!).Port;
            _ = ServeAsync(interval);
        }

        public int Port { get; }

        public byte[] Reply { get; }

        private async Task ServeAsync(TimeSpan interval)
        {
            try
            {
                using Socket client = await _listener.AcceptAsync(_stop.Token);
                foreach (byte[] chunk in _chunks)
                {
                    await Task.Delay(interval, _stop.Token);
                    await client.SendAsync(chunk, SocketFlags.None, _stop.Token);
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
        }
    }
}
