using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Balance.Tests.Support;

namespace Balance.Tests.Control;

/// <summary>Finding, replacing and stopping instances through their control sockets.</summary>
public sealed class ControlLifecycleEndToEndTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    private readonly TestRunDirectory _dir = new();
    private readonly TestBackend _backend = new("A");
    private readonly List<IDisposable> _cleanup = new();

    public void Dispose()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        _backend.Dispose();
        _dir.Dispose();
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>An instance on <paramref name="port"/> in front of <paramref name="channels"/> (the backend A by default), stopped after the test.</summary>
    private async Task<BalanceProcess> StartAsync(string engine, int port, string[]? options = null, params string[] channels)
    {
        string[] args = ["-f", .. options ?? [], Text(port), .. channels.Length == 0 ? [_backend.Channel] : channels];
        BalanceProcess instance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine, _dir.Environment), args);
        _cleanup.Add(instance);
        return instance;
    }

    private Task<ProcessResult> ClientAsync(string? stdin, params string[] args) => BalanceProcess.RunAsync(args, _dir.Environment, stdin);

    private static bool Listening(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // No instance is started: nothing here depends on the engine.
    [Fact]
    public async Task No_master_process_exits_69()
    {
        int port = FreePort.Next();

        ProcessResult command = await ClientAsync(null, "-c", "show", Text(port));
        ProcessResult interactive = await ClientAsync("show\n", "-i", Text(port));

        Assert.Equal((69, "no master process, exiting.\n", ""), (command.ExitCode, command.Stdout, command.Stderr));
        Assert.Equal((69, "no master process, exiting.\n", ""), (interactive.ExitCode, interactive.Stdout, interactive.Stderr));
    }

    [Theory]
    [AllEngines]
    public async Task Kill_stops_the_instance_and_removes_its_socket(string engine)
    {
        int port = FreePort.Next();
        BalanceProcess instance = await StartAsync(engine, port);

        ProcessResult result = await ClientAsync(null, "-c", "kill", Text(port));

        Assert.Equal((0, "shutdown complete, exiting.\n"), (result.ExitCode, result.Stdout));
        // Gone or a zombie: this test process reaps it a moment later, so HasExited may still be false.
        Assert.True(Posix.IsGone(instance.Pid), "the instance is gone when kill reports it");
        Assert.Equal(0, await instance.WaitForExitAsync(ExitTimeout));
        Assert.False(SocketFiles.IsSocket(instance.ControlSocket!));
        Assert.False(Listening(port));
        Assert.Equal(69, (await ClientAsync(null, "-c", "show", Text(port))).ExitCode);
    }

    [Theory]
    [AllEngines]
    public async Task Kill_from_the_shell_ends_relays_in_flight(string engine)
    {
        int port = FreePort.Next();
        await StartAsync(engine, port);
        using Socket client = await TestClient.ConnectAsync(port);
        Assert.Equal("A", await TestClient.ReadLineAsync(client));

        ProcessResult result = await ClientAsync("k\nshow\n", "-i", Text(port));

        Assert.EndsWith("balance[0] shutdown complete, exiting.\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
        Exception? cut = await Record.ExceptionAsync(() => Traffic.EchoRoundsAsync(client, rounds: 1, size: 100000, TestClient.ReadTimeout));
        Assert.True(cut is IOException or SocketException, $"the relay is closed, got {cut}");
    }

    [Theory]
    [AllEngines]
    public async Task Two_instances_side_by_side_are_controlled_separately(string engine)
    {
        using var other = new TestBackend("B");
        int firstPort = FreePort.Next();
        int secondPort = FreePort.Next();
        await StartAsync(engine, firstPort, null, _backend.Channel);
        BalanceProcess second = await StartAsync(engine, secondPort, null, other.Channel, _backend.Channel);

        Assert.Equal("channel 0 disabled\n", (await ClientAsync(null, "-c", "disable 0", Text(secondPort))).Stdout);

        string firstShow = (await ClientAsync(null, "-c", "show", Text(firstPort))).Stdout;
        string secondShow = (await ClientAsync(null, "-c", "show", Text(secondPort))).Stdout;
        Assert.Equal(2, firstShow.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"ENA        127.0.0.1 {_backend.Port,5}", firstShow);
        Assert.Equal(3, secondShow.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"  0   RR  0 dis        127.0.0.1 {other.Port,5}", secondShow);

        using Socket viaFirst = await TestClient.ConnectAsync(firstPort);
        using Socket viaSecond = await TestClient.ConnectAsync(secondPort);
        Assert.Equal(("A", "A"), (await TestClient.ReadLineAsync(viaFirst), await TestClient.ReadLineAsync(viaSecond)));
        Assert.Contains($"PID of master process is {second.Pid}\n", (await ClientAsync("", "-i", Text(secondPort))).Stdout);

        Assert.Equal("shutdown complete, exiting.\n", (await ClientAsync(null, "-c", "kill", Text(firstPort))).Stdout);
        Assert.False(second.HasExited);
        Assert.Equal(0, (await ClientAsync(null, "-c", "show", Text(secondPort))).ExitCode);
    }

    [Theory]
    [AllEngines]
    public async Task Stale_socket_of_a_killed_instance_is_replaced_at_start(string engine)
    {
        int port = FreePort.Next();
        BalanceProcess dead = await StartAsync(engine, port);
        string path = dead.ControlSocket!;
        dead.Signal(Posix.SigKill);
        await dead.WaitForExitAsync(ExitTimeout);
        Assert.True(SocketFiles.IsSocket(path), "SIGKILL leaves the socket behind");
        Assert.Equal(69, (await ClientAsync(null, "-c", "show", Text(port))).ExitCode);

        BalanceProcess successor = await StartAsync(engine, port);

        ProcessResult result = await ClientAsync(null, "-c", "show", Text(port));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"PID of master process is {successor.Pid}", (await ClientAsync("", "-i", Text(port))).Stdout);
    }

    [Theory]
    [AllEngines]
    public async Task Sigterm_removes_the_socket(string engine)
    {
        BalanceProcess instance = await StartAsync(engine, FreePort.Next());

        instance.Signal(Posix.SigTerm);

        await instance.WaitForExitAsync(ExitTimeout);
        Assert.False(SocketFiles.IsSocket(instance.ControlSocket!));
    }

    [Theory]
    [AllEngines]
    public async Task Successor_started_during_a_drain_takes_over_the_control_socket(string engine)
    {
        int port = FreePort.Next();
        BalanceProcess draining = await StartAsync(engine, port, ["--grace", "60"]);
        using Socket inFlight = await TestClient.ConnectAsync(port);
        Assert.Equal("A", await TestClient.ReadLineAsync(inFlight));

        draining.Signal(Posix.SigTerm);
        await Poll.UntilAsync(() => !SocketFiles.IsSocket(draining.ControlSocket!), ExitTimeout, "the draining instance to give up its control socket");
        Assert.False(draining.HasExited, "a relay in flight keeps it draining");

        BalanceProcess successor = await StartAsync(engine, port);
        Assert.Contains($"PID of master process is {successor.Pid}", (await ClientAsync("", "-i", Text(port))).Stdout);

        await Traffic.EchoRoundsAsync(inFlight, rounds: 1, size: 1000, TestClient.ReadTimeout);
        await TestClient.FinishAsync(inFlight);
        await draining.WaitForExitAsync(ExitTimeout);
        Assert.True(SocketFiles.IsSocket(successor.ControlSocket!), "the old instance leaves its successor's socket alone");
        Assert.Equal(0, (await ClientAsync(null, "-c", "show", Text(port))).ExitCode);
    }

    [Theory]
    [AllEngines]
    public async Task Bind_address_names_the_socket(string engine)
    {
        int port = FreePort.Next();
        BalanceProcess instance = await StartAsync(engine, port, ["-b", "127.0.0.1"]);

        Assert.EndsWith($"balance.{port}.127.0.0.1", instance.ControlSocket);
        Assert.Equal(0, (await ClientAsync(null, "-b", "127.0.0.1", "-c", "show", Text(port))).ExitCode);
        Assert.Equal(69, (await ClientAsync(null, "-c", "show", Text(port))).ExitCode);
    }

    [Theory]
    [AllEngines]
    public async Task Background_instance_is_controllable_as_soon_as_the_command_returns(string engine)
    {
        int port = FreePort.Next();
        ProcessResult started = await BalanceProcess.RunAsync([Text(port), _backend.Channel], Engines.Environment(engine, _dir.Environment));
        Assert.True(started.ExitCode == 0, $"exit {started.ExitCode}: {started.Stderr}");

        ProcessResult show = await ClientAsync(null, "-c", "show json", Text(port));
        Assert.Equal(0, show.ExitCode);
        int pid;
        using (JsonDocument doc = JsonDocument.Parse(show.Stdout))
        {
            pid = doc.RootElement.GetProperty("pid").GetInt32();
        }

        try
        {
            ProcessResult killed = await ClientAsync(null, "-c", "kill", Text(port));
            Assert.Equal((0, "shutdown complete, exiting.\n"), (killed.ExitCode, killed.Stdout));
            Assert.True(Posix.IsGone(pid));
        }
        finally
        {
            if (!Posix.IsGone(pid))
            {
                Posix.Kill(pid, Posix.SigKill);
            }
        }
    }
}
