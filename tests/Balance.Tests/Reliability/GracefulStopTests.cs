using System.Diagnostics;
using System.Net.Sockets;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// Stopping with relays in flight, by SIGTERM or by the control shell's kill:
/// the listener closes at once, the relays finish within the grace period,
/// then the instance exits with 0.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class GracefulStopTests
{
    private const int Relays = 100;

    private readonly ITestOutputHelper _output;

    public GracefulStopTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public enum Stop
    {
        SigTerm,
        ControlKill,
    }

    [Theory]
    [AllEngines(Stop.SigTerm)]
    [AllEngines(Stop.ControlKill)]
    public async Task AHundredRelaysInFlightFinishThenTheInstanceExits(string engine, Stop how)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = [new("echo", Backlog: 4096)] });
        int port = proxy.Port;
        BalanceProcess balance = proxy.Process;
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < Relays; i++)
            {
                Socket client = await TestClient.ConnectAsync(port);
                clients.Add(client);
                Assert.Equal("echo", await TestClient.ReadLineAsync(client));
            }

            var clock = Stopwatch.StartNew();
            Task<ProcessResult>? kill = null;
            if (how == Stop.SigTerm)
            {
                balance.Signal(Posix.SigTerm);
            }
            else
            {
                kill = Shell.RunAsync(port, "kill");
            }

            // The listener goes at once; nobody new gets in.
            await Poll.UntilAsync(() => !TcpTable.IsListening(port), TimeSpan.FromSeconds(2), "the listener to close");
            TimeSpan listenerClosed = clock.Elapsed;
            await Assert.ThrowsAnyAsync<SocketException>(() => TestClient.ConnectAsync(port));

            // The relays in flight still carry data both ways, and end normally.
            await Task.WhenAll(clients.Select(async client =>
            {
                await Traffic.EchoRoundsAsync(client, rounds: 3, size: 2048, TestClient.ReadTimeout);
                client.Shutdown(SocketShutdown.Send);
                Assert.Empty(await TestClient.ReadToEndAsync(client));
            }));
            TimeSpan relaysDone = clock.Elapsed; // every exchange above went through: the instance waited for them

            Assert.Equal(0, await balance.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            TimeSpan exited = clock.Elapsed;
            _output.WriteLine($"{engine} {how}: listener closed after {listenerClosed.TotalMilliseconds:0} ms, relays done after {relaysDone.TotalMilliseconds:0} ms, exit after {exited.TotalMilliseconds:0} ms");
            Assert.InRange(exited - relaysDone, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            Assert.Equal(Relays, proxy["echo"].Accepted);
            if (kill is not null)
            {
                var (exit, stdout, stderr) = await kill;
                Assert.Equal((0, "shutdown complete, exiting.\n", ""), (exit, stdout, stderr));
            }
        }
        finally
        {
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Theory]
    [AllEngines]
    public async Task ASignalTheMomentTheControlSocketAppearsStillStopsCleanly(string engine)
    {
        using var echo = new TestBackend("echo");
        for (int i = 0; i < 10; i++)
        {
            int port = FreePort.Next();
            string socket = TestRunDirectory.Shared.SocketPath(port);
            using var balance = BalanceProcess.Start(new[] { "-f", port.ToString(), $"127.0.0.1:{echo.Port}" }, Engines.Environment(engine));
            await Poll.UntilAsync(() => File.Exists(socket) || balance.HasExited, TimeSpan.FromSeconds(20), "the control socket");
            balance.Signal(Posix.SigTerm);

            Assert.Equal(0, await balance.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.False(File.Exists(socket), $"round {i}: the control socket was left behind");
        }
    }

    [Theory]
    [AllEngines]
    public async Task AfterKillASignalEndsTheRemainingRelaysAtOnce(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["echo"], Options = ["--grace", "60"] });
        int port = proxy.Port;
        BalanceProcess balance = proxy.Process;
        using Socket client = await TestClient.ConnectAsync(port);
        Assert.Equal("echo", await TestClient.ReadLineAsync(client));

        Task<ProcessResult> kill = Shell.RunAsync(port, "kill");
        await Poll.UntilAsync(() => !TcpTable.IsListening(port), TimeSpan.FromSeconds(2), "the listener to close");
        await Traffic.EchoRoundsAsync(client, rounds: 1, size: 100, TestClient.ReadTimeout);
        balance.Signal(Posix.SigTerm);

        Assert.Equal(0, await balance.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(5)));
        Assert.Equal((0, "shutdown complete, exiting.\n"), ((await kill).ExitCode, (await kill).Stdout));
    }
}
