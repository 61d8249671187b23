using System.Net.Sockets;
using System.Text;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// balance under systemd's protocols: a socket passed by socket activation
/// (systemd-socket-activate), readiness and stopping on NOTIFY_SOCKET, and
/// the unit files of packaging/ as systemd-analyze reads them.
/// </summary>
public sealed class SystemdEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [NeedsToolsTheory("systemd-socket-activate")]
    [AllEngines]
    public async Task ASocketActivatedInstanceServesOnThePassedSocket(string engine)
    {
        using var backend = new TestBackend("activated");
        int port = FreePort.Next();

        await using BalanceProcess balance = StartActivated(engine, new[] { port }, "-f", port.ToString(), backend.Channel);
        await Poll.UntilAsync(() => TcpTable.IsListening(port) || balance.HasExited, Wait, "systemd-socket-activate to listen");

        // The first client wakes balance up: it waits in the accept queue meanwhile.
        Assert.Equal("activated", await TestClient.WhoAnswersAsync(port));
        Assert.Equal("activated", await TestClient.WhoAnswersAsync(port));
        string control = TestRunDirectory.Shared.SocketPath(port);
        await Poll.UntilAsync(() => RawControlSocket.AnswersAsync(control, balance.Pid), Wait, "balance to answer on its control socket");
        Assert.Contains(" 2    0", await ControlQuery.RunAsync(control, "show")); // totalc 2, maxc 0
        Assert.False(balance.HasExited, balance.Stderr);
    }

    [NeedsToolsTheory("systemd-socket-activate")]
    [AllEngines]
    public async Task OfSeveralPassedSocketsTheOneOnTheListenPortIsServed(string engine)
    {
        using var backend = new TestBackend("second");
        int other = FreePort.Next();
        int port = FreePort.Next();

        await using BalanceProcess balance = StartActivated(engine, new[] { other, port }, "-f", port.ToString(), backend.Channel);
        await Poll.UntilAsync(() => TcpTable.IsListening(port) || balance.HasExited, Wait, "systemd-socket-activate to listen");

        Assert.Equal("second", await TestClient.WhoAnswersAsync(port));
        string control = TestRunDirectory.Shared.SocketPath(port);
        await Poll.UntilAsync(() => RawControlSocket.AnswersAsync(control, balance.Pid), Wait, "balance to answer on its control socket");
        Assert.False(balance.HasExited, balance.Stderr);
    }

    [NeedsToolsTheory("systemd-socket-activate")]
    [AllEngines]
    public async Task APassedSocketOnAnotherPortIsRefused(string engine)
    {
        int other = FreePort.Next();
        int port = FreePort.Next();

        await using BalanceProcess balance = StartActivated(engine, new[] { other }, "-f", port.ToString(), "127.0.0.1:1");
        await Poll.UntilAsync(() => TcpTable.IsListening(other) || balance.HasExited, Wait, "systemd-socket-activate to listen");
        // A client wakes balance up; it refuses the socket and exits, which may
        // reset this very connection before its handshake is seen here.
        try
        {
            using Socket wake = await TestClient.ConnectAsync(other);
        }
        catch (SocketException)
        {
        }

        Assert.Equal(64, await balance.WaitForExitAsync(Wait));

        // (systemd-socket-activate writes its own lines to stderr before the exec)
        Assert.Contains($"\nbalance: socket passed by systemd refused: descriptor 3 listens on port {other}, not on {port}\n", "\n" + balance.Stderr);
    }

    /// <summary>
    /// balance under systemd-socket-activate listening on <paramref name="ports"/>. It passes
    /// only the variables it is given, and execs balance in its own process once a client connects.
    /// </summary>
    private static BalanceProcess StartActivated(string engine, int[] ports, params string[] args)
    {
        var launcher = new List<string> { ExternalTool.Require("systemd-socket-activate") };
        launcher.AddRange(ports.Select(p => $"--listen=127.0.0.1:{p}"));
        var environment = new Dictionary<string, string>(Engines.Environment(engine))
        {
            [Balance.Control.RunDirectory.OverrideVariable] = TestRunDirectory.Shared.Path,
        };
        foreach (var (key, value) in PassThrough().Concat(environment))
        {
            launcher.Add($"--setenv={key}={value}");
        }

        return BalanceProcess.Start(args, environment, launcher);
    }

    [Fact]
    public async Task ReadyOnceListeningAndStoppingOnSigterm()
    {
        using var backend = new TestBackend("b");
        using var notify = new NotifySocket();
        int port = FreePort.Next();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Name };

        await using BalanceProcess balance = await BalanceProcess.StartProxyAsync(port, environment, "-f", port.ToString(), backend.Channel);
        Assert.Equal("READY=1\n", await notify.ReceiveAsync());
        Assert.Equal("b", await TestClient.WhoAnswersAsync(port));

        balance.Signal(Posix.SigTerm);
        Assert.Equal("STOPPING=1\n", await notify.ReceiveAsync());
        Assert.Equal(0, await balance.WaitForExitAsync(Wait));
        Assert.Null(notify.Pending());
    }

    [Fact]
    public async Task AfterATakeoverTheNewProcessAnnouncesItselfAndTheOldOneDoesNotSayStopping()
    {
        using var backend = new TestBackend("b");
        using var notify = new NotifySocket();
        int port = FreePort.Next();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Name };

        await using BalanceProcess old = await BalanceProcess.StartProxyAsync(port, environment, "-f", port.ToString(), backend.Channel);
        Assert.Equal("READY=1\n", await notify.ReceiveAsync());
        await using BalanceProcess successor = await BalanceProcess.StartProxyAsync(port, environment, "--takeover", "-f", port.ToString(), backend.Channel);
        Assert.Equal($"MAINPID={successor.Pid}\nREADY=1\n", await notify.ReceiveAsync());
        Assert.Equal(0, await old.WaitForExitAsync(Wait));
        Assert.Null(notify.Pending());
        Assert.Equal("b", await TestClient.WhoAnswersAsync(port));
    }

    [NeedsToolsTheory("systemd-analyze")]
    [InlineData("balance@8080.service")]
    [InlineData("balance@8080.socket")]
    public async Task TheUnitFilesPassSystemdAnalyzeVerify(string unit)
    {
        string packaging = Path.Combine(RepositoryRoot(), "packaging");
        string directory = Directory.CreateTempSubdirectory("units-").FullName;
        try
        {
            // verify wants the ExecStart binary to exist: the balance under test.
            string binary = Path.GetFullPath(BalanceProcess.BinaryPath);
            foreach (string template in new[] { "balance@.service", "balance@.socket" })
            {
                string text = File.ReadAllText(Path.Combine(packaging, template)).Replace("/usr/local/bin/balance", binary);
                Assert.Contains(template.EndsWith(".service") ? binary : "ListenStream=%i", text);
                File.WriteAllText(Path.Combine(directory, template), text);
                File.WriteAllText(Path.Combine(directory, template.Replace("@", "@8080")), text);
            }

            ProcessResult result = await ProcessRun.RunAsync(
                ExternalTool.Require("systemd-analyze"), new[] { "verify", "--man=no", Path.Combine(directory, unit) }, null);
            Assert.True(result.ExitCode == 0, $"systemd-analyze verify: {result.ExitCode}\n{result.Stdout}{result.Stderr}");
            Assert.DoesNotContain(unit, result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> PassThrough() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? ""))
            .Where(e => e.Key is "PATH" or "HOME" or "TMPDIR" || e.Key.StartsWith("DOTNET_", StringComparison.Ordinal));

    private static string RepositoryRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Balance.slnx")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("the repository root (Balance.slnx) is not above the test binaries");
    }

    /// <summary>A datagram socket standing in for systemd's notification socket, in a directory of its own.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("notify-").FullName;
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        public NotifySocket()
        {
            Name = Path.Combine(_directory, "notify");
            _socket.Bind(new UnixDomainSocketEndPoint(Name));
        }

        public string Name { get; }

        public async Task<string> ReceiveAsync()
        {
            byte[] buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(Wait);
            int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n);
        }

        /// <summary>A datagram already waiting, or null.</summary>
        public string? Pending()
        {
            if (_socket.Available == 0)
            {
                return null;
            }

            byte[] buffer = new byte[4096];
            return Encoding.ASCII.GetString(buffer, 0, _socket.Receive(buffer));
        }

        public void Dispose()
        {
            _socket.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
