using System.Runtime.CompilerServices;
using Balance.Control;

namespace Balance.Tests.Support;

/// <summary>
/// A BALANCE_RUNDIR, where the control sockets of the instances a test starts
/// live: the shared one of this test process, or one of a test's own.
/// </summary>
/// <remarks>
/// Every balance a test starts opens a control socket. Without the shared
/// directory, the instances of tests that do not choose one would put theirs
/// in the system's /run/balance (tests run as root in CI) and leave them
/// there when they are killed. So the test process, and through inheritance
/// every balance it starts, gets a run directory of its own, removed at exit.
/// A test's own directory (mode 0755, so that a client running as another
/// user reaches the socket and meets its own permission check) is removed
/// when the test disposes it.
/// </remarks>
internal sealed class TestRunDirectory : IDisposable
{
    private readonly bool _shared;

    /// <summary>A fresh directory of a test's own.</summary>
    public TestRunDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        Path = Directory.CreateTempSubdirectory("ctltest-").FullName;
        File.SetUnixFileMode(Path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private TestRunDirectory(string path)
    {
        Path = path;
        _shared = true;
    }

    /// <summary>The directory of this test process, which every balance it starts inherits.</summary>
    public static TestRunDirectory Shared { get; private set; } = null!;

    public string Path { get; }

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [RunDirectory.OverrideVariable] = Path,
    };

    /// <summary>The control socket of the instance listening on <paramref name="port"/> (and <paramref name="bind"/>, its -b).</summary>
    public string SocketPath(int port, string? bind = null) =>
        System.IO.Path.Combine(Path, ControlSocketName.For(port, bind));

    public void Dispose()
    {
        if (!_shared)
        {
            Remove(Path);
        }
    }

#pragma warning disable CA2255 // a test assembly is not a library others load: the initializer is wanted here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Isolate()
    {
        string? given = System.Environment.GetEnvironmentVariable(RunDirectory.OverrideVariable);
        if (!string.IsNullOrEmpty(given))
        {
            Shared = new TestRunDirectory(given);
            return;
        }

        string path = Directory.CreateTempSubdirectory("ctltest-run-").FullName;
        System.Environment.SetEnvironmentVariable(RunDirectory.OverrideVariable, path);
        Shared = new TestRunDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(path);
    }

    private static void Remove(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
