using System.Runtime.InteropServices;

namespace Balance.Native;

/// <summary>
/// bpf(2), which libc has no wrapper for, and the socket queries of the
/// kernel relay (socket cookie, bytes written to a socket).
/// </summary>
internal static unsafe partial class Libc
{
    public const int SO_RCVLOWAT = 18;
    public const int SO_COOKIE = 57;
    public const int TCP_INFO = 11;

    /// <summary>SIOCOUTQ: bytes in a TCP socket's send queue, not yet acknowledged.</summary>
    public const nuint SIOCOUTQ = 0x5411;

    /// <summary>Size of struct tcp_info (linux/tcp.h) as of Linux 6.x, and where tcpi_bytes_acked sits in it.</summary>
    public const int TcpInfoSize = 232;
    public const int TcpInfoBytesAckedOffset = 120;

    public const int MAP_SHARED = 0x01;

    /// <summary>The bpf system call number, or -1 where balance does not know it.</summary>
    public static readonly nint SYS_bpf = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        _ => -1,
    };

    // syscall(2) and ioctl(2) are variadic; their arguments here are all
    // integers or pointers, which the x86-64 and arm64 Linux calling
    // conventions pass the same way to a variadic function.
    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint first, nint second, nint third);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, int* value);

    /// <summary>bpf(command, attr, size): a descriptor or 0 on success, -1 with <see cref="LastError"/> set on failure.</summary>
    public static int Bpf(int command, byte* attr, int size) =>
        SYS_bpf < 0 ? -1 : (int)Syscall(SYS_bpf, command, (nint)attr, size);
}
