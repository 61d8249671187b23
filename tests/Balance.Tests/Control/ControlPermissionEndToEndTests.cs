using System.Globalization;
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
    private readonly TestBackend _backend = new("A");
    private BalanceProcess? _instance;

    public void Dispose()
    {
        _instance?.Dispose();
        _backend.Dispose();
        _dir.Dispose();
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task<(BalanceProcess Instance, int Port)> StartAsync(string engine, bool asNobody = false)
    {
        int port = FreePort.Next();
        _instance = await BalanceProcess.StartProxyThroughAsync(
            port, asNobody ? NobodyUser.Launcher : [], Engines.Environment(engine, _dir.Environment), "-f", Text(port), _backend.Channel);
        return (_instance, port);
    }

    private Task<ProcessResult> ClientAsync(string? stdin, params string[] args) => BalanceProcess.RunAsync(args, _dir.Environment, stdin);

    [NobodyTheory]
    [AllEngines]
    public async Task Other_user_is_refused_by_the_socket_mode(string engine)
    {
        var (instance, port) = await StartAsync(engine);

        ProcessResult command = await NobodyUser.RunAsync(_dir, null, "-c", "disable 0", Text(port));
        ProcessResult interactive = await NobodyUser.RunAsync(_dir, "show\n", "-i", Text(port));

        string message = $"balance: permission denied on control socket {instance.ControlSocket}\n";
        Assert.Equal((77, "", message), (command.ExitCode, command.Stdout, command.Stderr));
        Assert.Equal((77, "", message), (interactive.ExitCode, interactive.Stdout, interactive.Stderr));
        Assert.Contains("  0   RR  0 ENA", (await ClientAsync(null, "-c", "show", Text(port))).Stdout);
    }

    [NobodyTheory]
    [AllEngines]
    public async Task Other_user_is_refused_by_peer_credentials_even_if_the_socket_is_opened_up(string engine)
    {
        var (instance, port) = await StartAsync(engine);
        File.SetUnixFileMode(instance.ControlSocket!,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        ProcessResult result = await NobodyUser.RunAsync(_dir, null, "-c", "disable 0", Text(port));

        Assert.Equal(77, result.ExitCode);
        Assert.Equal($"balance: permission denied on control socket {instance.ControlSocket}\n", result.Stderr);
        await Poll.UntilAsync(() => instance.Stderr.Contains($"control: refused uid {NobodyUser.Uid}", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the refusal in the log");
        Assert.Contains("  0   RR  0 ENA", (await ClientAsync(null, "-c", "show", Text(port))).Stdout);
    }

    [NobodyTheory]
    [AllEngines]
    public async Task Root_controls_an_instance_of_another_user(string engine)
    {
        ProcessResult chown = await ProcessRun.RunAsync("chown", ["nobody:nogroup", _dir.Path]);
        Assert.Equal(0, chown.ExitCode);
        var (instance, port) = await StartAsync(engine, asNobody: true);
        Assert.True(Balance.Control.FileStat.TryLStat(instance.ControlSocket!, out var stat, out _));
        Assert.Equal(NobodyUser.Uid, stat.Uid);
        Assert.Equal(0x180u, stat.Permissions);

        Assert.Equal("channel 0 disabled\n", (await ClientAsync(null, "-c", "disable 0", Text(port))).Stdout);
        Assert.Equal("channel 0 already disabled\n", (await NobodyUser.RunAsync(_dir, null, "-c", "disable 0", Text(port))).Stdout);

        ProcessResult kill = await ClientAsync(null, "-c", "kill", Text(port));
        Assert.Equal((0, "shutdown complete, exiting.\n"), (kill.ExitCode, kill.Stdout));
    }
}
