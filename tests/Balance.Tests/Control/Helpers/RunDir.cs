using Balance.Control;

namespace Balance.Tests.Control.Helpers;

/// <summary>
/// A fresh BALANCE_RUNDIR for one test, mode 0755 so that a client running as
/// another user can reach the socket and meet its own permission check.
/// </summary>
internal sealed class RunDir : IDisposable
{
    public RunDir()
    {
        Path = Directory.CreateTempSubdirectory("ctltest-").FullName;
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        File.SetUnixFileMode(Path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    public string Path { get; }

    public string SocketPath(int port, string? bind = null) =>
        System.IO.Path.Combine(Path, ControlSocketName.For(port, bind));

    public IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [RunDirectory.OverrideVariable] = Path,
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
