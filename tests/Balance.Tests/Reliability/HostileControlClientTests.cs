using System.Net.Sockets;
using System.Text;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// Two hundred control clients at once, garbage, megabyte lines and clients
/// that never send: relays go on, new clients are served, and the control
/// shell answers again once they are gone.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HostileControlClientTests
{
    private const int Hostile = 200;

    private readonly ITestOutputHelper _output;

    public HostileControlClientTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private enum Kind
    {
        Silent,
        Garbage,
        HugeLine,
        Show,
    }

    [Theory]
    [AllEngines]
    public async Task TwoHundredHostileControlClientsAtOnceDoNotStopTheProxy(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, "echo");
        int port = proxy.Port;
        BalanceProcess balance = proxy.Process;
        string path = proxy.ControlSocket;

        using Socket relayed = await TestClient.ConnectAsync(port);
        Assert.Equal("echo", await TestClient.ReadLineAsync(relayed));
        using var stopRelay = new CancellationTokenSource();
        Task relaying = RelayUntilAsync(relayed, stopRelay.Token);

        var hostile = new List<Socket>();
        try
        {
            Kind[] kinds = Enumerable.Range(0, Hostile).Select(i => (Kind)(i % 4)).ToArray();
            var answers = await Task.WhenAll(kinds.Select(async kind =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                lock (hostile)
                {
                    hostile.Add(socket);
                }

                return await BehaveAsync(socket, path, kind);
            }));

            // Every client that asked got an answer (or was told the instance is busy), none hung.
            var showAnswers = answers.Where((_, i) => kinds[i] == Kind.Show).ToArray();
            _output.WriteLine($"{engine}: show answered {showAnswers.Count(a => a.Contains("GRP", StringComparison.Ordinal))}, busy {showAnswers.Count(a => a.Contains("busy", StringComparison.Ordinal))}");
            Assert.All(showAnswers, a => Assert.True(a.Contains("GRP", StringComparison.Ordinal) || a.Contains("busy", StringComparison.Ordinal), a));
            Assert.All(answers.Where((_, i) => kinds[i] is Kind.Garbage or Kind.HugeLine), a => Assert.True(a.Contains("syntax error", StringComparison.Ordinal) || a.Contains("busy", StringComparison.Ordinal), a));

            // The proxy serves throughout.
            Assert.Equal("echo", await TestClient.WhoAnswersAsync(port));
            Assert.False(relaying.IsFaulted, relaying.Exception?.ToString());
        }
        finally
        {
            foreach (Socket socket in hostile)
            {
                socket.Dispose();
            }
        }

        stopRelay.Cancel();
        await relaying;
        await Poll.UntilAsync(
            async () => (await Shell.RunAsync(port, "show")).Stdout.StartsWith("GRP", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the control shell to answer again");
        Assert.Equal("echo", await TestClient.WhoAnswersAsync(port));
        Assert.False(balance.HasExited);
    }

    /// <summary>Plays one hostile client; returns what the instance said to it (the silent ones hear only the greeting).</summary>
    private static async Task<string> BehaveAsync(Socket socket, string path, Kind kind)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
            if (kind == Kind.Silent)
            {
                return await RawControlSocket.ReadSomeAsync(socket, timeout.Token);
            }

            // As a shell does: the greeting first, which may say the instance is busy.
            string greeting = await RawControlSocket.ReadLineAsync(socket, timeout.Token);
            if (!greeting.StartsWith("balance-control 1 ", StringComparison.Ordinal))
            {
                return greeting;
            }

            switch (kind)
            {
                case Kind.Garbage:
                    byte[] garbage = new byte[200];
                    Random.Shared.NextBytes(garbage);
                    garbage[^1] = (byte)'\n';
                    await socket.SendAsync(garbage, SocketFlags.None, timeout.Token);
                    break;
                case Kind.HugeLine:
                    _ = SendIgnoringErrorsAsync(socket, Encoding.ASCII.GetBytes("0 show " + new string('y', 1 << 20) + "\n"), timeout.Token);
                    break;
                case Kind.Show:
                    await socket.SendAsync(Encoding.ASCII.GetBytes("0 show\n"), SocketFlags.None, timeout.Token);
                    break;
            }

            return await RawControlSocket.ReadToEndAsync(socket, timeout.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            // The listen queue is full: the kernel refuses at once what a
            // blocking shell would wait for. A refusal, like busy.
            return "busy: listen queue full";
        }
        catch (SocketException e)
        {
            return $"socket error {e.SocketErrorCode}";
        }
    }

    private static async Task SendIgnoringErrorsAsync(Socket socket, byte[] data, CancellationToken cancellation)
    {
        try
        {
            await socket.SendAsync(data, SocketFlags.None, cancellation);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The instance stops reading a line that is too long.
        }
    }

    private static async Task RelayUntilAsync(Socket socket, CancellationToken stop)
    {
        for (int round = 0; round < 100_000 && !stop.IsCancellationRequested; round++)
        {
            await Traffic.EchoRoundsAsync(socket, rounds: 1, size: 512, TestClient.ReadTimeout);
        }
    }
}
