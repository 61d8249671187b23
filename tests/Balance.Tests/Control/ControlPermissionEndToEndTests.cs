using System.Globalization;
using System.Runtime.Versioning;
using Balance.Tests.Control.Helpers;

namespace Balance.Tests.Control;

/// <summary>
/// Only the owner of an instance and root may control it. Runs the client (or
/// the instance) as nobody, so it needs root; skipped with the reason otherwise.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ControlPermissionEndToEndTests : InstanceTestBase
{
    private InstanceProcess Start(bool asNobody = false)
    {
        InstanceProcess instance = InstanceProcess.Start(Dir, FreePort.Next(), new[] { Backend.Channel }, asNobody: asNobody);
        Track(instance);
        return instance;
    }

    [NobodyFact]
    public void Other_user_is_refused_by_the_socket_mode()
    {
        InstanceProcess instance = Start();

        ToolResult command = NobodyUser.Run(Dir, null, "-c", "disable 0", Text(instance.Port));
        ToolResult interactive = NobodyUser.Run(Dir, "show\n", "-i", Text(instance.Port));

        string message = $"balance: permission denied on control socket {instance.SocketPath}\n";
        Assert.Equal((77, "", message), (command.ExitCode, command.Stdout, command.Stderr));
        Assert.Equal((77, "", message), (interactive.ExitCode, interactive.Stdout, interactive.Stderr));
        Assert.Contains("  0   RR  0 ENA", ToolRun.Balance(Dir, null, "-c", "show", Text(instance.Port)).Stdout);
    }

    [NobodyFact]
    public void Other_user_is_refused_by_peer_credentials_even_if_the_socket_is_opened_up()
    {
        InstanceProcess instance = Start();
        File.SetUnixFileMode(instance.SocketPath,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        ToolResult result = NobodyUser.Run(Dir, null, "-c", "disable 0", Text(instance.Port));

        Assert.Equal(77, result.ExitCode);
        Assert.Equal($"balance: permission denied on control socket {instance.SocketPath}\n", result.Stderr);
        Eventually.True(() => instance.Stderr.Contains($"control: refused uid {NobodyUser.Uid}", StringComparison.Ordinal), "the refusal in the log");
        Assert.Contains("  0   RR  0 ENA", ToolRun.Balance(Dir, null, "-c", "show", Text(instance.Port)).Stdout);
    }

    [NobodyFact]
    public void Root_controls_an_instance_of_another_user()
    {
        ToolResult chown = ToolRun.Run("chown", new[] { "nobody:nogroup", Dir.Path });
        Assert.Equal(0, chown.ExitCode);
        InstanceProcess instance = Start(asNobody: true);
        Assert.True(Balance.Control.FileStat.TryLStat(instance.SocketPath, out var stat, out _));
        Assert.Equal(NobodyUser.Uid, stat.Uid);
        Assert.Equal(0x180u, stat.Permissions);

        Assert.Equal("channel 0 disabled\n", ToolRun.Balance(Dir, null, "-c", "disable 0", Text(instance.Port)).Stdout);
        Assert.Equal("channel 0 already disabled\n", NobodyUser.Run(Dir, null, "-c", "disable 0", Text(instance.Port)).Stdout);

        ToolResult kill = ToolRun.Balance(Dir, null, "-c", "kill", Text(instance.Port));
        Assert.Equal((0, "shutdown complete, exiting.\n"), (kill.ExitCode, kill.Stdout));
    }
}
