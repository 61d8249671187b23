using Balance.Native;
namespace Balance.Control;

/// <summary>
/// Picks and, when missing, creates the directory an instance puts its
/// control socket in. A directory is used only when it is a real directory
/// (not a symlink) owned by this user that nobody else can write to.
/// </summary>
internal static class RunDirectorySetup
{
    private const uint GroupOrOtherWrite = 0x12; // 0o022
    private const uint OwnerWrite = 0x80; // 0o200

    public static string Prepare(RunDirectory dirs)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("control sockets need a Unix system");
        }

        if (dirs.OverridePath is string chosen)
        {
            // The user named it: create it if needed, but leave an existing one's mode alone.
            try
            {
                Directory.CreateDirectory(chosen, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                return chosen;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BalanceException($"balance: cannot create control directory {chosen}: {e.Message}", ExitCodes.OsError);
            }
        }

        foreach (string dir in dirs.Candidates())
        {
            if (TryUse(dir, dirs.Euid, dirs.ModeFor(dir)))
            {
                return dir;
            }
        }

        throw new BalanceException(
            $"balance: no usable directory for the control socket (tried {string.Join(", ", dirs.Candidates())})",
            ExitCodes.OsError);
    }

    public static bool IsUsable(FileStat stat, uint euid) =>
        stat.IsDirectory
        && stat.Uid == euid
        && (stat.Permissions & GroupOrOtherWrite) == 0
        && (stat.Permissions & OwnerWrite) != 0;

    private static bool TryUse(string dir, uint euid, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (FileStat.TryLStat(dir, out FileStat stat, out int errno))
        {
            return IsUsable(stat, euid);
        }

        string? parent = Path.GetDirectoryName(dir);
        if (errno != Errno.ENOENT || parent is null || !Directory.Exists(parent))
        {
            return false;
        }

        try
        {
            Directory.CreateDirectory(dir, mode);
            if (!FileStat.TryLStat(dir, out stat, out _) || !stat.IsDirectory || stat.Uid != euid)
            {
                return false;
            }

            // The umask may have taken bits away; set the documented mode on what is now known to be ours.
            File.SetUnixFileMode(dir, mode);
            return FileStat.TryLStat(dir, out stat, out _) && IsUsable(stat, euid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
