using System.Runtime.InteropServices;

namespace Balance.Native;

/// <summary>
/// Handing a descriptor to another process (SCM_RIGHTS over a Unix socket,
/// which .NET has no API for) and looking at a descriptor received that way
/// or inherited from systemd: is it a listening TCP socket, on which port.
/// </summary>
internal static unsafe partial class Libc
{
    public const int SCM_RIGHTS = 1;
    public const int SO_TYPE = 3;
    public const int SO_ACCEPTCONN = 30;
    public const int SO_DOMAIN = 39;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr; the padding after the name length is what C puts there on 64-bit targets.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public byte* Name;
        public nuint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr, the header before each item of ancillary data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_LEN(n): the header, then n bytes of data.</summary>
    public static int CmsgLength(int dataBytes) => sizeof(CmsgHdr) + dataBytes;

    /// <summary>CMSG_SPACE(n): as CMSG_LEN, rounded up to the alignment of size_t.</summary>
    public static int CmsgSpace(int dataBytes) => (CmsgLength(dataBytes) + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    [LibraryImport(Library, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    /// <summary>An int socket option, or null with <see cref="LastError"/> set when the descriptor refuses it (not a socket).</summary>
    public static int? IntOption(int fd, int level, int name)
    {
        int value = 0;
        int length = sizeof(int);
        return GetSockOpt(fd, level, name, (byte*)&value, &length) == 0 ? value : null;
    }
}
