using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Balance.Control;
using Balance.Tests.Control.Helpers;
using Balance.Native;

namespace Balance.Tests.Control;

/// <summary>Finding, replacing and stopping instances through their control sockets.</summary>
public sealed class ControlLifecycleEndToEndTests : InstanceTestBase
{
    private InstanceProcess Start(int port, params string[] channels)
    {
        InstanceProcess instance = InstanceProcess.Start(Dir, port, channels.Length == 0 ? new[] { Backend.Channel } : channels);
        Track(instance);
        return instance;
    }

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

    [Fact]
    public void No_master_process_exits_69()
    {
        int port = FreePort.Next();

        ToolResult command = ToolRun.Balance(Dir, null, "-c", "show", Text(port));
        ToolResult interactive = ToolRun.Balance(Dir, "show\n", "-i", Text(port));

        Assert.Equal((69, "no master process, exiting.\n", ""), (command.ExitCode, command.Stdout, command.Stderr));
        Assert.Equal((69, "no master process, exiting.\n", ""), (interactive.ExitCode, interactive.Stdout, interactive.Stderr));
    }

    [Fact]
    public void Kill_stops_the_instance_and_removes_its_socket()
    {
        InstanceProcess instance = Start(FreePort.Next());

        ToolResult result = ToolRun.Balance(Dir, null, "-c", "kill", Text(instance.Port));

        Assert.Equal((0, "shutdown complete, exiting.\n"), (result.ExitCode, result.Stdout));
        Assert.True(instance.HasExited, "the instance is gone when kill reports it");
        Assert.Equal(0, instance.ExitCode);
        Assert.False(SocketFiles.IsSocket(instance.SocketPath));
        Assert.False(Listening(instance.Port));
        Assert.Equal(69, ToolRun.Balance(Dir, null, "-c", "show", Text(instance.Port)).ExitCode);
    }

    [Fact]
    public void Kill_from_the_shell_ends_relays_in_flight()
    {
        InstanceProcess instance = Start(FreePort.Next());
        using ProxyClient client = ProxyClient.Open(instance.Port);

        ToolResult result = ToolRun.Balance(Dir, "k\nshow\n", "-i", Text(instance.Port));

        Assert.EndsWith("balance[0] shutdown complete, exiting.\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
        Exception? cut = Record.Exception(() => client.Echo(new byte[100000]));
        Assert.True(cut is IOException or SocketException, $"the relay is closed, got {cut}");
    }

    [Fact]
    public void Two_instances_side_by_side_are_controlled_separately()
    {
        using var other = new GreetingBackend("B");
        InstanceProcess first = Start(FreePort.Next(), Backend.Channel);
        InstanceProcess second = Start(FreePort.Next(), other.Channel, Backend.Channel);

        Assert.Equal("channel 0 disabled\n", ToolRun.Balance(Dir, null, "-c", "disable 0", Text(second.Port)).Stdout);

        string firstShow = ToolRun.Balance(Dir, null, "-c", "show", Text(first.Port)).Stdout;
        string secondShow = ToolRun.Balance(Dir, null, "-c", "show", Text(second.Port)).Stdout;
        Assert.Equal(2, firstShow.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"ENA        127.0.0.1 {Backend.Port,5}", firstShow);
        Assert.Equal(3, secondShow.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"  0   RR  0 dis        127.0.0.1 {other.Port,5}", secondShow);

        using ProxyClient viaFirst = ProxyClient.Open(first.Port);
        using ProxyClient viaSecond = ProxyClient.Open(second.Port);
        Assert.Equal(("A", "A"), (viaFirst.Backend, viaSecond.Backend));
        Assert.Contains($"PID of master process is {second.Pid}\n", ToolRun.Balance(Dir, "", "-i", Text(second.Port)).Stdout);

        Assert.Equal("shutdown complete, exiting.\n", ToolRun.Balance(Dir, null, "-c", "kill", Text(first.Port)).Stdout);
        Assert.False(second.HasExited);
        Assert.Equal(0, ToolRun.Balance(Dir, null, "-c", "show", Text(second.Port)).ExitCode);
    }

    [Fact]
    public void Stale_socket_of_a_killed_instance_is_replaced_at_start()
    {
        int port = FreePort.Next();
        InstanceProcess dead = Start(port);
        string path = dead.SocketPath;
        KillHard(dead);
        Assert.True(SocketFiles.IsSocket(path), "SIGKILL leaves the socket behind");
        Assert.Equal(69, ToolRun.Balance(Dir, null, "-c", "show", Text(port)).ExitCode);

        InstanceProcess successor = Start(port);

        ToolResult result = ToolRun.Balance(Dir, null, "-c", "show", Text(port));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"PID of master process is {successor.Pid}", ToolRun.Balance(Dir, "", "-i", Text(port)).Stdout);
    }

    [Fact]
    public void Sigterm_removes_the_socket()
    {
        InstanceProcess instance = Start(FreePort.Next());

        _ = Libc.Kill(instance.Pid, 15);

        Assert.True(instance.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.False(SocketFiles.IsSocket(instance.SocketPath));
    }

    [Fact]
    public void Successor_started_during_a_drain_takes_over_the_control_socket()
    {
        int port = FreePort.Next();
        InstanceProcess draining = InstanceProcess.Start(Dir, port, new[] { Backend.Channel }, options: new[] { "--grace", "60" });
        Track(draining);
        using ProxyClient inFlight = ProxyClient.Open(port);

        _ = Libc.Kill(draining.Pid, 15);
        Eventually.True(() => !SocketFiles.IsSocket(draining.SocketPath), "the draining instance to give up its control socket");
        Assert.False(draining.HasExited, "a relay in flight keeps it draining");

        InstanceProcess successor = Start(port);
        Assert.Contains($"PID of master process is {successor.Pid}", ToolRun.Balance(Dir, "", "-i", Text(port)).Stdout);

        inFlight.Echo(new byte[1000]);
        inFlight.Finish();
        Assert.True(draining.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.True(SocketFiles.IsSocket(successor.SocketPath), "the old instance leaves its successor's socket alone");
        Assert.Equal(0, ToolRun.Balance(Dir, null, "-c", "show", Text(port)).ExitCode);
    }

    [Fact]
    public void Bind_address_names_the_socket()
    {
        int port = FreePort.Next();
        InstanceProcess instance = InstanceProcess.Start(Dir, port, new[] { Backend.Channel }, bind: "127.0.0.1");
        Track(instance);

        Assert.EndsWith($"balance.{port}.127.0.0.1", instance.SocketPath);
        Assert.Equal(0, ToolRun.Balance(Dir, null, "-b", "127.0.0.1", "-c", "show", Text(port)).ExitCode);
        Assert.Equal(69, ToolRun.Balance(Dir, null, "-c", "show", Text(port)).ExitCode);
    }

    [Fact]
    public void Background_instance_is_controllable_as_soon_as_the_command_returns()
    {
        int port = FreePort.Next();
        ToolResult started = ToolRun.Balance(Dir, null, Text(port), Backend.Channel);
        Assert.True(started.ExitCode == 0, $"exit {started.ExitCode}: {started.Stderr}");

        ToolResult show = ToolRun.Balance(Dir, null, "-c", "show json", Text(port));
        Assert.Equal(0, show.ExitCode);
        int pid;
        using (JsonDocument doc = JsonDocument.Parse(show.Stdout))
        {
            pid = doc.RootElement.GetProperty("pid").GetInt32();
        }

        try
        {
            ToolResult killed = ToolRun.Balance(Dir, null, "-c", "kill", Text(port));
            Assert.Equal((0, "shutdown complete, exiting.\n"), (killed.ExitCode, killed.Stdout));
            Assert.True(ProcessWatch.IsGone(pid));
        }
        finally
        {
            if (!ProcessWatch.IsGone(pid))
            {
                _ = Libc.Kill(pid, 9);
            }
        }
    }

    private static void KillHard(InstanceProcess instance)
    {
        _ = Libc.Kill(instance.Pid, 9);
        Assert.True(instance.WaitForExit(TimeSpan.FromSeconds(20)));
    }
}
