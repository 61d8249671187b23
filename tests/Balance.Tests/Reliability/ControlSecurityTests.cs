using System.Globalization;
using System.Runtime.Versioning;
using Balance.Control;
using Balance.Tests.Support;
using Balance.Native;

namespace Balance.Tests.Reliability;

/// <summary>
/// The control socket against other users and planted symlinks: nobody else
/// gets in, the socket and its directory have the documented modes, and a
/// symlink at the socket's name is never followed, by the instance or the shell.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class ControlSecurityTests : IDisposable
{
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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

    private string Channel => $"127.0.0.1:{_backend.Port}";

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>An instance in front of the backend, with its control socket in the test's run directory.</summary>
    private async Task<(BalanceProcess Instance, int Port)> StartAsync(string engine)
    {
        int port = FreePort.Next();
        BalanceProcess instance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine, _dir.Environment), "-f", Text(port), Channel);
        _cleanup.Add(instance);
        return (instance, port);
    }

    private Task<ProcessResult> ClientAsync(params string[] args) => BalanceProcess.RunAsync(args, _dir.Environment);

    [NobodyTheory]
    [AllEngines]
    public async Task AnotherUserCanNeitherConnectNorCommandEvenThroughAnOpenedUpSocket(string engine)
    {
        var (instance, port) = await StartAsync(engine);
        string socketPath = instance.ControlSocket!;
        string denied = $"balance: permission denied on control socket {socketPath}\n";

        // The socket's mode (0600) stops nobody at connect().
        ProcessResult refused = await NobodyUser.RunAsync(_dir, null, "-c", "disable 0", Text(port));
        Assert.Equal((77, "", denied), (refused.ExitCode, refused.Stdout, refused.Stderr));

        // Opened up by hand, the instance still checks who connects (SO_PEERCRED).
        File.SetUnixFileMode(socketPath, File.GetUnixFileMode(socketPath) | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        ProcessResult refusedAgain = await NobodyUser.RunAsync(_dir, null, "-c", "kill", Text(port));
        Assert.Equal((77, ""), (refusedAgain.ExitCode, refusedAgain.Stdout));

        Assert.False(instance.HasExited);
        Assert.Contains("  0   RR  0 ENA", (await ClientAsync("-c", "show", Text(port))).Stdout);
        await Poll.UntilAsync(() => instance.Stderr.Contains($"control: refused uid {NobodyUser.Uid}", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the refusal in the log");
    }

    [Theory]
    [AllEngines]
    public async Task AMissingRunDirectoryIsCreated0700AndTheSocketIs0600(string engine)
    {
        string missing = Path.Combine(_dir.Path, "run");
        int port = FreePort.Next();
        using var instance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine, new Dictionary<string, string> { [RunDirectory.OverrideVariable] = missing }), "-f", Text(port), Channel);
        string socketPath = Path.Combine(missing, ControlSocketName.For(port, null));
        await Poll.UntilAsync(() => File.Exists(socketPath), TimeSpan.FromSeconds(10), "the control socket");

        Assert.True(FileStat.TryLStat(missing, out FileStat dir, out _) && dir.IsDirectory);
        Assert.Equal((Libc.GetEUid(), Mode0700), (dir.Uid, File.GetUnixFileMode(missing)));
        Assert.True(FileStat.TryLStat(socketPath, out FileStat socket, out _) && socket.IsSocket);
        Assert.Equal((Libc.GetEUid(), Mode0600), (socket.Uid, File.GetUnixFileMode(socketPath)));
    }

    [NobodyTheory]
    [AllEngines]
    public async Task AnotherUsersInstanceGetsAPrivateDirectoryInTmp(string engine)
    {
        string dir = $"/tmp/balance-{NobodyUser.Uid}";
        if (Directory.Exists(dir))
        {
            // Someone's: its modes are not this test's doing. The instance only uses it if it is nobody's own.
            Assert.True(FileStat.TryLStat(dir, out FileStat existing, out _) && RunDirectorySetup.IsUsable(existing, NobodyUser.Uid));
            return;
        }

        try
        {
            // No BALANCE_RUNDIR, no XDG_RUNTIME_DIR: /run/balance is root's, so /tmp/balance-UID it is.
            var environment = Engines.Environment(engine, new Dictionary<string, string> { [RunDirectory.OverrideVariable] = "", ["XDG_RUNTIME_DIR"] = "" });
            int port = FreePort.Next();
            using var instance = BalanceProcess.Start(new[] { "-f", Text(port), Channel }, environment, NobodyUser.Launcher);
            string socketPath = Path.Combine(dir, ControlSocketName.For(port, null));
            await Poll.UntilAsync(() => File.Exists(socketPath) || instance.HasExited, TimeSpan.FromSeconds(20), "the control socket of nobody's instance");
            Assert.False(instance.HasExited, instance.Stderr);

            Assert.True(FileStat.TryLStat(dir, out FileStat stat, out _) && stat.IsDirectory);
            Assert.Equal((NobodyUser.Uid, Mode0700), (stat.Uid, File.GetUnixFileMode(dir)));
            Assert.True(FileStat.TryLStat(socketPath, out FileStat socket, out _) && socket.IsSocket);
            Assert.Equal((NobodyUser.Uid, Mode0600), (socket.Uid, File.GetUnixFileMode(socketPath)));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Theory]
    [AllEngines]
    public async Task ASymlinkPlantedAtTheSocketPathStopsTheStartAndIsNotFollowed(string engine)
    {
        int port = FreePort.Next();
        string path = _dir.SocketPath(port);
        string victim = Path.Combine(_dir.Path, "victim");
        File.WriteAllText(victim, "keep");
        File.CreateSymbolicLink(path, victim);

        ProcessResult start = await BalanceProcess.RunAsync(["-f", Text(port), Channel], Engines.Environment(engine, _dir.Environment));

        Assert.Equal(71, start.ExitCode);
        Assert.Equal($"balance: {path} exists and is not a socket, remove it to start\n", start.Stderr);
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.True(FileStat.TryLStat(path, out FileStat link, out _) && link.IsSymlink);
        Assert.False(TcpTable.IsListening(port));
    }

    [Theory]
    [AllEngines]
    public async Task ASymlinkToAnotherInstancesSocketStopsTheStartAndLeavesThatInstanceAlone(string engine)
    {
        var (other, otherPort) = await StartAsync(engine);
        int port = FreePort.Next();
        string path = _dir.SocketPath(port);
        File.CreateSymbolicLink(path, other.ControlSocket!);

        ProcessResult start = await BalanceProcess.RunAsync(["-f", Text(port), Channel], Engines.Environment(engine, _dir.Environment));

        Assert.Equal(71, start.ExitCode);
        Assert.False(other.HasExited);
        Assert.True(await RawControlSocket.AnswersAsync(other.ControlSocket!));

        // Nor does the shell follow it: the instance on that port is not running.
        ProcessResult shell = await ClientAsync("-c", "disable 0", Text(port));
        Assert.Equal((69, "no master process, exiting.\n"), (shell.ExitCode, shell.Stdout));
        Assert.Contains("  0   RR  0 ENA", (await ClientAsync("-c", "show", Text(otherPort))).Stdout);
    }

    [Theory]
    [AllEngines]
    public async Task ASocketSwappedForASymlinkWhileRunningIsLeftAloneAtExit(string engine)
    {
        var (instance, _) = await StartAsync(engine);
        string socketPath = instance.ControlSocket!;
        string victim = Path.Combine(_dir.Path, "victim");
        File.WriteAllText(victim, "keep");
        File.Delete(socketPath);
        File.CreateSymbolicLink(socketPath, victim);

        Assert.Equal(0, Posix.Kill(instance.Pid, Posix.SigTerm));
        Assert.Equal(0, await instance.WaitForExitAsync(TimeSpan.FromSeconds(15)));

        Assert.True(FileStat.TryLStat(socketPath, out FileStat link, out _) && link.IsSymlink);
        Assert.Equal("keep", File.ReadAllText(victim));
    }

    [NobodyTheory]
    [AllEngines]
    public async Task TheShellTalksOnlyToAnInstanceOfTheSocketsOwner(string engine)
    {
        // What a link swapped in between the shell's look and its connect leads
        // to: a socket file of one user, answered by another user's instance.
        var (instance, port) = await StartAsync(engine);
        ProcessResult chown = await ProcessRun.RunAsync("chown", ["-h", "nobody", instance.ControlSocket!]);
        Assert.Equal(0, chown.ExitCode);

        ProcessResult shell = await ClientAsync("-d", "-c", "disable 0", Text(port));

        Assert.Equal((69, "no master process, exiting.\n"), (shell.ExitCode, shell.Stdout));
        Assert.Contains($"answered by uid 0, not by the owner of the socket (uid {NobodyUser.Uid}), ignored", shell.Stderr);
        Assert.False(instance.HasExited);
    }
}
