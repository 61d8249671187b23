using System.Globalization;
using System.Runtime.Versioning;
using Balance.Control;
using Balance.Tests.Control.Helpers;
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

    private readonly RunDir _dir = new();
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

    private InstanceProcess Start(RunDir dir, bool asNobody = false)
    {
        InstanceProcess instance = InstanceProcess.Start(dir, FreePort.Next(), new[] { Channel }, asNobody: asNobody);
        _cleanup.Add(instance);
        return instance;
    }

    [NobodyFact]
    public void AnotherUserCanNeitherConnectNorCommandEvenThroughAnOpenedUpSocket()
    {
        InstanceProcess instance = Start(_dir);
        string denied = $"balance: permission denied on control socket {instance.SocketPath}\n";

        // The socket's mode (0600) stops nobody at connect().
        ToolResult refused = NobodyUser.Run(_dir, null, "-c", "disable 0", Text(instance.Port));
        Assert.Equal((77, "", denied), (refused.ExitCode, refused.Stdout, refused.Stderr));

        // Opened up by hand, the instance still checks who connects (SO_PEERCRED).
        File.SetUnixFileMode(instance.SocketPath, File.GetUnixFileMode(instance.SocketPath) | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        ToolResult refusedAgain = NobodyUser.Run(_dir, null, "-c", "kill", Text(instance.Port));
        Assert.Equal((77, ""), (refusedAgain.ExitCode, refusedAgain.Stdout));

        Assert.False(instance.HasExited);
        Assert.Contains("  0   RR  0 ENA", ToolRun.Balance(_dir, null, "-c", "show", Text(instance.Port)).Stdout);
        Eventually.True(() => instance.Stderr.Contains($"control: refused uid {NobodyUser.Uid}", StringComparison.Ordinal), "the refusal in the log");
    }

    [Fact]
    public async Task AMissingRunDirectoryIsCreated0700AndTheSocketIs0600()
    {
        string missing = Path.Combine(_dir.Path, "run");
        int port = FreePort.Next();
        using var instance = await BalanceProcess.StartProxyAsync(
            port, new Dictionary<string, string> { [RunDirectory.OverrideVariable] = missing }, "-f", Text(port), Channel);
        string socketPath = Path.Combine(missing, ControlSocketName.For(port, null));
        await Poll.UntilAsync(() => File.Exists(socketPath), TimeSpan.FromSeconds(10), "the control socket");

        Assert.True(FileStat.TryLStat(missing, out FileStat dir, out _) && dir.IsDirectory);
        Assert.Equal((Libc.GetEUid(), Mode0700), (dir.Uid, File.GetUnixFileMode(missing)));
        Assert.True(FileStat.TryLStat(socketPath, out FileStat socket, out _) && socket.IsSocket);
        Assert.Equal((Libc.GetEUid(), Mode0600), (socket.Uid, File.GetUnixFileMode(socketPath)));
    }

    [NobodyFact]
    public void AnotherUsersInstanceGetsAPrivateDirectoryInTmp()
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
            var environment = new Dictionary<string, string> { [RunDirectory.OverrideVariable] = "", ["XDG_RUNTIME_DIR"] = "" };
            int port = FreePort.Next();
            using var instance = BalanceProcess.Start(
                new[] { "-f", Text(port), Channel }, environment, ["setpriv", .. NobodyUser.SetprivArguments, "--"]);
            string socketPath = Path.Combine(dir, ControlSocketName.For(port, null));
            Eventually.True(() => File.Exists(socketPath) || instance.HasExited, "the control socket of nobody's instance");
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

    [Fact]
    public void ASymlinkPlantedAtTheSocketPathStopsTheStartAndIsNotFollowed()
    {
        int port = FreePort.Next();
        string path = _dir.SocketPath(port);
        string victim = Path.Combine(_dir.Path, "victim");
        File.WriteAllText(victim, "keep");
        File.CreateSymbolicLink(path, victim);

        ToolResult start = ToolRun.Run(ToolRun.BalanceBinary, new[] { "-f", Text(port), Channel }, _dir.Environment);

        Assert.Equal(71, start.ExitCode);
        Assert.Equal($"balance: {path} exists and is not a socket, remove it to start\n", start.Stderr);
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.True(FileStat.TryLStat(path, out FileStat link, out _) && link.IsSymlink);
        Assert.False(Ports.IsListening(port));
    }

    [Fact]
    public void ASymlinkToAnotherInstancesSocketStopsTheStartAndLeavesThatInstanceAlone()
    {
        InstanceProcess other = Start(_dir);
        int port = FreePort.Next();
        string path = _dir.SocketPath(port);
        File.CreateSymbolicLink(path, other.SocketPath);

        ToolResult start = ToolRun.Run(ToolRun.BalanceBinary, new[] { "-f", Text(port), Channel }, _dir.Environment);

        Assert.Equal(71, start.ExitCode);
        Assert.False(other.HasExited);
        Assert.True(InstanceProcess.Answers(other.SocketPath));

        // Nor does the shell follow it: the instance on that port is not running.
        ToolResult shell = ToolRun.Balance(_dir, null, "-c", "disable 0", Text(port));
        Assert.Equal((69, "no master process, exiting.\n"), (shell.ExitCode, shell.Stdout));
        Assert.Contains("  0   RR  0 ENA", ToolRun.Balance(_dir, null, "-c", "show", Text(other.Port)).Stdout);
    }

    [Fact]
    public void ASocketSwappedForASymlinkWhileRunningIsLeftAloneAtExit()
    {
        InstanceProcess instance = Start(_dir);
        string victim = Path.Combine(_dir.Path, "victim");
        File.WriteAllText(victim, "keep");
        File.Delete(instance.SocketPath);
        File.CreateSymbolicLink(instance.SocketPath, victim);

        Assert.Equal(0, Libc.Kill(instance.Pid, Posix.SigTerm));
        Assert.True(instance.WaitForExit(TimeSpan.FromSeconds(15)));

        Assert.Equal(0, instance.ExitCode);
        Assert.True(FileStat.TryLStat(instance.SocketPath, out FileStat link, out _) && link.IsSymlink);
        Assert.Equal("keep", File.ReadAllText(victim));
    }

    [NobodyFact]
    public void TheShellTalksOnlyToAnInstanceOfTheSocketsOwner()
    {
        // What a link swapped in between the shell's look and its connect leads
        // to: a socket file of one user, answered by another user's instance.
        InstanceProcess instance = Start(_dir);
        ToolResult chown = ToolRun.Run("chown", new[] { "-h", "nobody", instance.SocketPath });
        Assert.Equal(0, chown.ExitCode);

        ToolResult shell = ToolRun.Balance(_dir, null, "-d", "-c", "disable 0", Text(instance.Port));

        Assert.Equal((69, "no master process, exiting.\n"), (shell.ExitCode, shell.Stdout));
        Assert.Contains($"answered by uid 0, not by the owner of the socket (uid {NobodyUser.Uid}), ignored", shell.Stderr);
        Assert.False(instance.HasExited);
    }
}
