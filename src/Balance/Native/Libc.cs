using System.Runtime.InteropServices;

namespace Balance.Native;

/// <summary>
/// Every libc call balance makes, in one place: what .NET has no API for
/// (process and file details of the control socket, descriptor limits,
/// detaching) and the system calls of the Linux relay. Arguments are
/// blittable, so the source-generated stubs are plain calls under native AOT.
/// Names follow C's for constants, PascalCase for functions. Callers check
/// every result; <see cref="LastError"/> is errno of the last failed call.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    public static int LastError => Marshal.GetLastPInvokeError();

    // ---- processes and descriptors ----

    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int RLIMIT_NOFILE = 7;

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport(Library, EntryPoint = "setsid", SetLastError = true)]
    public static partial int SetSid();

    [LibraryImport(Library, EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldFd, int newFd);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport(Library, EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, in RLimit limit);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint GetEUid();

    /// <summary>sysconf(3) name of the clock ticks per second /proc reports CPU time in.</summary>
    public const int _SC_CLK_TCK = 2;

    [LibraryImport(Library, EntryPoint = "sysconf", SetLastError = true)]
    public static partial long SysConf(int name);

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    public const int SIGINT = 2;
    public static readonly nint SIG_DFL = 0;

    /// <summary>signal(2): here only to put a signal back to its default disposition.</summary>
    [LibraryImport(Library, EntryPoint = "signal", SetLastError = true)]
    public static partial nint Signal(int signal, nint handler);

    // ---- files (the control socket's) ----

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_BASIC_STATS = 0x7ff;

    /// <summary>Size of struct statx, with room to spare.</summary>
    public const int StatxBufferSize = 256;

    /// <summary>statx(2) rather than stat(2): its buffer layout is the same on every Linux architecture.</summary>
    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Library, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    /// <summary>rename(2): atomically puts a socket in place, replacing a stale one; never follows a symlink.</summary>
    [LibraryImport(Library, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);

    [LibraryImport(Library, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    // ---- memory ----

    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;
    public static readonly nint MAP_FAILED = -1;

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);
}
