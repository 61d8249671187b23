using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --check through the real binary: a killed backend goes DOWN and clients stop
/// reaching it, a restarted one comes back UP and gets its share, a backend that
/// accepts but never answers the check's send goes DOWN. Times to DOWN and UP
/// are asserted against the configuration with a margin for a busy machine,
/// and written to the test output.
/// </summary>
public sealed class HealthCheckEndToEndTests
{
    /// <summary>Scheduling delays on a loaded two-core machine; the bounds below add this to what the configuration promises.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;

    public HealthCheckEndToEndTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static Task UntilStateAsync(ProxyFixture proxy, int channel, string state, TimeSpan timeout) =>
        Poll.UntilAsync(async () => await ControlQuery.StateAsync(proxy.ControlSocket, 0, channel) == state, timeout, $"channel {channel} to show {state}");

    private static Task UntilHealthAsync(ProxyFixture proxy, int channel, string health) =>
        Poll.UntilAsync(async () => await ControlQuery.HealthAsync(proxy.ControlSocket, 0, channel) == health, Long, $"channel {channel} to be {health}");

    private static async Task<string[]> ClientsAsync(ProxyFixture proxy, int count)
    {
        var answers = new string[count];
        for (int i = 0; i < count; i++)
        {
            answers[i] = await TestClient.WhoAnswersAsync(proxy.Port);
        }

        return answers;
    }

    private static async Task<long> TotalcAsync(ProxyFixture proxy, int channel) =>
        (await ControlQuery.ChannelAsync(proxy.ControlSocket, 0, channel)).GetProperty("totalConnections").GetInt64();

    [Theory]
    [AllEngines]
    public async Task AKilledBackendIsDownWithinFallIntervalsAndARestartedOneUpWithinRise(string engine)
    {
        const double interval = 0.5;
        const int fall = 3;
        const int rise = 2;
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B"],
            Options = ["--check", "--check-interval", "0.5", "--fall", "3", "--rise", "2"],
        });
        int portB = proxy["B"].Port;
        await UntilHealthAsync(proxy, 1, "up");

        proxy["B"].Dispose(); // its listener and every connection it had
        var clock = Stopwatch.StartNew();
        await UntilStateAsync(proxy, 1, "DWN", Long);
        TimeSpan toDown = clock.Elapsed;
        _output.WriteLine($"{engine}: DOWN {toDown.TotalSeconds:0.00} s after the kill (fall x interval = {fall * interval:0.0} s, + timeout {interval:0.0} s)");
        Assert.InRange(toDown, TimeSpan.FromSeconds((fall - 1) * interval * 0.9), TimeSpan.FromSeconds((fall * interval) + interval) + Margin);

        long triedB = await TotalcAsync(proxy, 1);
        Assert.Equal(Enumerable.Repeat("A", 6), await ClientsAsync(proxy, 6));
        Assert.Equal(triedB, await TotalcAsync(proxy, 1)); // not even tried

        using var back = new TestBackend("B", port: portB);
        clock.Restart();
        await UntilStateAsync(proxy, 1, "ENA", Long);
        TimeSpan toUp = clock.Elapsed;
        _output.WriteLine($"{engine}: UP {toUp.TotalSeconds:0.00} s after the restart (rise x interval = {rise * interval:0.0} s)");
        Assert.InRange(toUp, TimeSpan.FromSeconds((rise - 1) * interval * 0.9), TimeSpan.FromSeconds(rise * interval) + Margin);

        string[] answers = await ClientsAsync(proxy, 10);
        Assert.Equal(5, answers.Count(a => a == "B")); // its share again, with no operator action
        Assert.Equal(5, answers.Count(a => a == "A"));

        string port = portB.ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"balance: group 0 channel 1 (127.0.0.1:{port}) DOWN: connection refused, 3 of 3 checks failed\n", proxy.Process.Stderr);
        Assert.Contains($"balance: group 0 channel 1 (127.0.0.1:{port}) UP: 2 of 2 checks passed\n", proxy.Process.Stderr);
    }

    [Theory]
    [AllEngines]
    public async Task ABackendThatAcceptsButNeverAnswersTheCheckGoesDownAndClientsNoLongerHangOnIt(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = [new BackendSpec("A", TestBackend.Behaviour.Echo), new BackendSpec("H", TestBackend.Behaviour.Echo)],
            Options = ["--check", "--check-interval", "0.5", "--check-send", @"PING\r\n", "--check-expect", "PING"],
        });
        int portH = proxy["H"].Port;
        await UntilHealthAsync(proxy, 1, "up");

        proxy["H"].Dispose();
        using var hung = new TestBackend("H", TestBackend.Behaviour.Silent, port: portH);
        var clock = Stopwatch.StartNew();
        await UntilStateAsync(proxy, 1, "DWN", Long);
        _output.WriteLine($"{engine}: a hung backend DOWN {clock.Elapsed.TotalSeconds:0.00} s after it stopped answering (3 checks of up to 0.5 s each)");
        Assert.True((await ControlQuery.ChannelAsync(proxy.ControlSocket, 0, 1)).GetProperty("health").GetProperty("lastCheck").GetString()
            is "no expected reply within 0.5 s" or "connection refused");

        // Every client is relayed to A and answered at once; none is even sent to H.
        long triedH = await TotalcAsync(proxy, 1);
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var took = Stopwatch.StartNew();
            using Socket client = await TestClient.ConnectAsync(proxy.Port);
            byte[] ping = [(byte)('a' + i), (byte)'\n'];
            await client.SendAsync(ping, SocketFlags.None);
            string echoed = await TestClient.ReadLineAsync(client);
            return (Echoed: echoed, Took: took.Elapsed);
        }));
        Assert.All(clients, c => Assert.Equal(1, c.Echoed.Length));
        Assert.All(clients, c => Assert.InRange(c.Took, TimeSpan.Zero, TimeSpan.FromSeconds(2)));
        Assert.Equal(triedH, await TotalcAsync(proxy, 1));
    }
}
