using System.Net.Sockets;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>Background start, start failures, signals and bad input, through the real binary.</summary>
public sealed class StartupEndToEndTests
{
    [Theory]
    [AllEngines]
    public async Task BackgroundStartReturnsZeroOnlyOnceTheInstanceListens(string engine)
    {
        using var echo = new TestBackend("echo");
        int port = FreePort.Next();
        var (exit, _, stderr) = await BalanceProcess.RunAsync([port.ToString(), $"127.0.0.1:{echo.Port}"], Engines.Environment(engine));
        int? pid = BackgroundInstances.FindPid(port);
        try
        {
            Assert.Equal(0, exit);
            Assert.Equal(string.Empty, stderr);
            Assert.True(TcpTable.IsListening(port), "the command returned before the instance listened");
            Assert.NotNull(pid);
            Assert.Equal("echo", await TestClient.WhoAnswersAsync(port));
        }
        finally
        {
            if (pid is int running)
            {
                Posix.Kill(running, Posix.SigTerm);
                await Poll.UntilAsync(() => Posix.IsGone(running), TimeSpan.FromSeconds(10), "the background instance to stop");
            }
        }
    }

    [Theory]
    [AllEngines]
    public async Task BackgroundStartOnAPortInUseReportsTheErrorWithExit71(string engine)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        occupant.Listen();
        int port = ((System.Net.IPEndPoint)occupant.LocalEndPoint!).Port;

        var (exit, _, stderr) = await BalanceProcess.RunAsync(["-b", "127.0.0.1", port.ToString(), "127.0.0.1:1"], Engines.Environment(engine));

        Assert.Equal(71, exit);
        Assert.Contains("Address already in use", stderr);
        Assert.Null(BackgroundInstances.FindPid(port));
    }

    [Theory]
    [AllEngines]
    public async Task ForegroundStartOnAPortInUseExits71(string engine)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        occupant.Listen();
        int port = ((System.Net.IPEndPoint)occupant.LocalEndPoint!).Port;

        var (exit, _, stderr) = await BalanceProcess.RunAsync(["-f", "-b", "127.0.0.1", port.ToString(), "127.0.0.1:1"], Engines.Environment(engine));

        Assert.Equal(71, exit);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    /// <summary>
    /// A second balance on a port another one listens on fails with exit 71,
    /// as any other occupant makes it fail: the two never share the port's clients.
    /// </summary>
    [Theory]
    [AllEngines]
    public async Task ASecondInstanceOnTheSamePortExits71(string engine)
    {
        await using var first = await ProxyFixture.StartAsync(engine, "echo");
        var (exit, _, stderr) = await BalanceProcess.RunAsync(
            ["-f", "-b", "127.0.0.1", first.PortText, "127.0.0.1:1"], Engines.Environment(engine, first.RunDirectory.Environment));

        Assert.Equal(71, exit);
        Assert.Contains("Address already in use", stderr);
        Assert.Equal("echo", await TestClient.WhoAnswersAsync(first.Port));
    }

    [Theory]
    [AllEngines(15)]
    [AllEngines(2)]
    public async Task StopSignalClosesTheListenerAtOnceAndLetsRelaysInFlightFinish(string engine, int signal)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, "echo");
        int port = proxy.Port;
        BalanceProcess balance = proxy.Process;
        using Socket relayed = await TestClient.ConnectAsync(port);
        Assert.Equal("echo", await TestClient.ReadLineAsync(relayed));

        balance.Signal(signal);

        await Poll.UntilAsync(() => !TcpTable.IsListening(port), TimeSpan.FromSeconds(5), "the listener to close");
        await relayed.SendAsync("still here\n"u8.ToArray(), SocketFlags.None);
        Assert.Equal("still here", await TestClient.ReadLineAsync(relayed));
        Assert.False(balance.HasExited);

        relayed.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await balance.WaitForExitAsync(TimeSpan.FromSeconds(5)));
    }

    /// <summary>
    /// A shell starts background jobs with SIGINT ignored, and a child
    /// inherits that: balance still stops gracefully on SIGINT, as the manual says.
    /// </summary>
    [Theory]
    [AllEngines]
    public async Task SigintStopsItEvenWhenItWasStartedWithSigintIgnored(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["echo"],
            Launcher = ["bash", "-c", "trap '' INT; exec \"$0\" \"$@\""],
        });
        Assert.Equal("echo", await TestClient.WhoAnswersAsync(proxy.Port));

        proxy.Process.Signal(Posix.SigInt);

        Assert.Equal(0, await proxy.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Theory]
    [AllEngines]
    public async Task RelaysStillOpenWhenTheGracePeriodEndsAreClosed(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["echo"], Options = ["--grace", "1"] });
        int port = proxy.Port;
        BalanceProcess balance = proxy.Process;
        using Socket relayed = await TestClient.ConnectAsync(port);
        Assert.Equal("echo", await TestClient.ReadLineAsync(relayed));

        balance.Signal(Posix.SigTerm);

        Assert.Equal(0, await balance.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await TestClient.IsClosedByPeerAsync(relayed, TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [AllEngines]
    public async Task ASecondSignalEndsRelaysAtOnce(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["echo"], Options = ["--grace", "60"] });
        int port = proxy.Port;
        BalanceProcess balance = proxy.Process;
        using Socket relayed = await TestClient.ConnectAsync(port);
        Assert.Equal("echo", await TestClient.ReadLineAsync(relayed));

        balance.Signal(Posix.SigTerm);
        await Poll.UntilAsync(() => !TcpTable.IsListening(port), TimeSpan.FromSeconds(5), "the listener to close");
        balance.Signal(Posix.SigTerm);

        Assert.Equal(0, await balance.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    // Rejected while the arguments are parsed, before any engine starts.
    [Theory]
    [InlineData(64, "invalid port [0], exiting.", "0", "127.0.0.1")]
    [InlineData(64, "invalid port [65536], exiting.", "65536", "127.0.0.1")]
    [InlineData(64, "invalid port [nosuchservice], exiting.", "nosuchservice", "127.0.0.1")]
    [InlineData(64, "invalid port [99999], exiting.", "8000", "127.0.0.1:99999")]
    [InlineData(65, "unknown or invalid address [no.such.host.invalid]", "8000", "no.such.host.invalid")]
    [InlineData(69, "balance: no channels in group", "8000", "!", "127.0.0.1")]
    [InlineData(69, "balance: no channels in group", "8000", "127.0.0.1", "!", "%", "127.0.0.1")]
    [InlineData(64, "balance: invalid timeout [0] for -t, whole seconds >= 1 expected", "-t0", "8000", "127.0.0.1")]
    [InlineData(64, "balance: invalid option -- 'z'", "-z", "8000", "127.0.0.1")]
    public async Task BadInputGivesOneLineAndTheRightExitCode(int expectedExit, string expectedFirstLine, params string[] args)
    {
        var (exit, stdout, stderr) = await BalanceProcess.RunAsync(args);

        Assert.Equal(expectedExit, exit);
        Assert.Equal(expectedFirstLine, stderr.Split('\n')[0]);
        Assert.Equal(string.Empty, stdout);
        Assert.DoesNotContain("   at ", stderr);
    }

    // Rejected while the arguments are parsed, before any engine starts.
    [Fact]
    public async Task NoArgumentsPrintsTheUsageWithExit64()
    {
        var (exit, _, stderr) = await BalanceProcess.RunAsync();

        Assert.Equal(64, exit);
        Assert.Contains("this is balance", stderr);
        Assert.Contains("usage:", stderr);
    }

    // Answered while the arguments are parsed, before any engine starts.
    [Fact]
    public async Task HelpListsEveryOption()
    {
        var (exit, stdout, _) = await BalanceProcess.RunAsync("--help");

        Assert.Equal(0, exit);
        foreach (string option in new[] { "-a", "-b", "-B", "-c", "-d", "-f", "-H", "-i", "-M", "-p", "-t", "-T", "-6" })
        {
            Assert.Contains("  " + option + " ", stdout);
        }
    }
}
