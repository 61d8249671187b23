using Balance.Native;
namespace Balance.Control;

/// <summary>
/// Where control sockets live. An instance takes the first directory it can
/// use from <see cref="Candidates"/>; the shell looks in all of them, since an
/// instance started from cron or a service may have had another environment.
/// </summary>
internal sealed class RunDirectory
{
    public const string OverrideVariable = "BALANCE_RUNDIR";

    private static readonly string[] SystemDirectories = { "/run/balance", "/var/run/balance" };

    public RunDirectory(string? overridePath, string? xdgRuntimeDir, uint euid)
    {
        OverridePath = string.IsNullOrEmpty(overridePath) ? null : Path.GetFullPath(overridePath);
        XdgRuntimeDir = string.IsNullOrEmpty(xdgRuntimeDir) || !Path.IsPathRooted(xdgRuntimeDir) ? null : xdgRuntimeDir;
        Euid = euid;
    }

    public string? OverridePath { get; }

    public string? XdgRuntimeDir { get; }

    public uint Euid { get; }

    public static RunDirectory FromEnvironment() => new(
        Environment.GetEnvironmentVariable(OverrideVariable),
        Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"),
        Libc.GetEUid());

    /// <summary>The directories in order of preference; only the override when it is set.</summary>
    public IReadOnlyList<string> Candidates()
    {
        if (OverridePath is not null)
        {
            return new[] { OverridePath };
        }

        var list = new List<string>(SystemDirectories);
        if (XdgRuntimeDir is not null)
        {
            list.Add(Path.Combine(XdgRuntimeDir, "balance"));
        }

        list.Add($"/tmp/balance-{Euid}");
        return list;
    }

    /// <summary>
    /// Root may control every user's instance, so its shell also looks in the
    /// per-user directories of others.
    /// </summary>
    public IReadOnlyList<string> SearchPath()
    {
        var list = new List<string>(Candidates());
        if (OverridePath is null && Euid == 0)
        {
            list.AddRange(Subdirectories("/run/user", "balance"));
            list.AddRange(Directories("/tmp", "balance-*"));
        }

        return list.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The mode a directory gets when an instance creates it.</summary>
    public UnixFileMode ModeFor(string directory) =>
        Euid == 0 && SystemDirectories.Contains(directory)
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
              | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
              | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static IEnumerable<string> Subdirectories(string root, string leaf)
    {
        try
        {
            return Directory.GetDirectories(root).Select(d => Path.Combine(d, leaf)).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    private static IEnumerable<string> Directories(string root, string pattern)
    {
        try
        {
            return Directory.GetDirectories(root, pattern).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }
}
