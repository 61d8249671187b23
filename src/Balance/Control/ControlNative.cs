using System.Runtime.InteropServices;

namespace Balance.Control;

/// <summary>
/// The libc calls the control socket needs and .NET has no API for: file
/// owner and inode without following symlinks, the umask around bind,
/// rename and unlink of socket files, and whether a process still exists.
/// </summary>
internal static partial class ControlNative
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const uint StatxBasicStats = 0x7ff;
    public const int StatxBufferSize = 256;

    public const int ENoEnt = 2;
    public const int ESrch = 3;
    public const int EAcces = 13;

    /// <summary>statx(2) rather than stat(2): its buffer layout is the same on every Linux architecture.</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc")]
    public static partial uint umask(uint mask);

    /// <summary>rename(2): atomically puts a socket in place, replacing a stale one; never follows a symlink.</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    public static partial uint geteuid();
}
