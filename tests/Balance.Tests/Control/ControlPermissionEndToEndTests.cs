using System.Runtime.Versioning;
using Balance.Tests.Support;

namespace Balance.Tests.Control;

/// <summary>
/// Only the owner of an instance and root may control it. Runs the client (or
/// the instance) as nobody, so it needs root; skipped with the reason otherwise.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ControlPermissionEndToEndTests : IDisposable
{
    private readonly TestRunDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<ProxyFixture> StartAsync(string engine, bool asNobody = false) =>
        ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["A"], RunDirectory = _dir, Launcher = asNobody ? NobodyUser.Launcher : [] });

    [NobodyTheory]
    [AllEngines]
    public async Task Other_user_is_refused_by_the_socket_mode(string engine)
    {
        await using var proxy = await StartAsync(engine);

        ProcessResult command = await NobodyUser.RunAsync(_dir, null, "-c", "disable 0", proxy.PortText);
        ProcessResult interactive = await NobodyUser.RunAsync(_dir, "show\n", "-i", proxy.PortText);

        string message = $"balance: permission denied on control socket {proxy.ControlSocket}\n";
        Assert.Equal((77, "", message), (command.ExitCode, command.Stdout, command.Stderr));
        Assert.Equal((77, "", message), (interactive.ExitCode, interactive.Stdout, interactive.Stderr));
        Assert.Contains("  0   RR  0 ENA", (await proxy.ShellAsync("show")).Stdout);
    }

    [NobodyTheory]
    [AllEngines]
    public async Task Other_user_is_refused_by_peer_credentials_even_if_the_socket_is_opened_up(string engine)
    {
        await using var proxy = await StartAsync(engine);
        File.SetUnixFileMode(proxy.ControlSocket,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        ProcessResult result = await NobodyUser.RunAsync(_dir, null, "-c", "disable 0", proxy.PortText);

        Assert.Equal(77, result.ExitCode);
        Assert.Equal($"balance: permission denied on control socket {proxy.ControlSocket}\n", result.Stderr);
        await Poll.UntilAsync(() => proxy.Process.Stderr.Contains($"control: refused uid {NobodyUser.Uid}", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the refusal in the log");
        Assert.Contains("  0   RR  0 ENA", (await proxy.ShellAsync("show")).Stdout);
    }

    [NobodyTheory]
    [AllEngines]
    public async Task Root_controls_an_instance_of_another_user(string engine)
    {
        ProcessResult chown = await ProcessRun.RunAsync("chown", ["nobody:nogroup", _dir.Path]);
        Assert.Equal(0, chown.ExitCode);
        await using var proxy = await StartAsync(engine, asNobody: true);
        Assert.True(Balance.Control.FileStat.TryLStat(proxy.ControlSocket, out var stat, out _));
        Assert.Equal(NobodyUser.Uid, stat.Uid);
        Assert.Equal(0x180u, stat.Permissions);

        Assert.Equal("channel 0 disabled\n", (await proxy.ShellAsync("disable 0")).Stdout);
        Assert.Equal("channel 0 already disabled\n", (await NobodyUser.RunAsync(_dir, null, "-c", "disable 0", proxy.PortText)).Stdout);

        ProcessResult kill = await proxy.ShellAsync("kill");
        Assert.Equal((0, "shutdown complete, exiting.\n"), (kill.ExitCode, kill.Stdout));
    }
}
