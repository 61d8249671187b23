using System.Runtime.InteropServices;

namespace Balance.Native;

/// <summary>Sockets, epoll, pipes and splice: the system calls of the Linux relay.</summary>
internal static unsafe partial class Libc
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_STREAM = 1;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;

    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2;
    public const int SO_ERROR = 4;
    public const int SO_KEEPALIVE = 9;
    public const int SO_LINGER = 13;
    public const int IPPROTO_IP = 0;
    public const int IP_BIND_ADDRESS_NO_PORT = 24;
    public const int IPPROTO_TCP = 6;
    public const int TCP_NODELAY = 1;
    public const int SHUT_WR = 1;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_PEEK = 0x2;

    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLEXCLUSIVE = 1u << 28;
    public const uint EPOLLONESHOT = 1u << 30;

    public const uint SPLICE_F_MOVE = 1;
    public const uint SPLICE_F_NONBLOCK = 2;
    public const int F_SETPIPE_SZ = 1031;

    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    [LibraryImport(Library, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport(Library, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport(Library, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Library, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept(int fd, byte* addr, int* addrLen, int flags);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* addr, int addrLen);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* addr, int addrLen);

    /// <summary>recv(2): on a socket it skips the file layer that read(2) goes through.</summary>
    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(int fd, byte* buffer, nint count, int flags);

    /// <summary>send(2): on a socket it skips the file layer that write(2) goes through.</summary>
    [LibraryImport(Library, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nint count, int flags);

    [LibraryImport(Library, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, byte* value, int length);

    [LibraryImport(Library, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, byte* addr, int* addrLen);

    [LibraryImport(Library, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, byte* value, int* length);

    [LibraryImport(Library, EntryPoint = "splice", SetLastError = true)]
    public static partial nint Splice(int fdIn, long* offIn, int fdOut, long* offOut, nint length, uint flags);

    [LibraryImport(Library, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe(int* fds, int flags);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    /// <summary>Sets an int socket option; false when the socket refused it (the peer may be gone already).</summary>
    public static bool SetIntOption(int fd, int level, int name, int value) =>
        SetSockOpt(fd, level, name, (byte*)&value, sizeof(int)) == 0;

    /// <summary>SO_LINGER 0: closing sends a reset, so a peer's reset is passed on as one.</summary>
    public static bool ResetOnClose(int fd)
    {
        int* linger = stackalloc int[2] { 1, 0 };
        return SetSockOpt(fd, SOL_SOCKET, SO_LINGER, (byte*)linger, 2 * sizeof(int)) == 0;
    }

    /// <summary>
    /// connect(2) to AF_UNSPEC: ends the socket's connection (with a reset if
    /// it was established) and leaves the socket ready for another connect,
    /// bound address and options kept. Cheaper than a close and a new socket.
    /// </summary>
    public static bool Disconnect(int fd)
    {
        ushort unspecified = 0; // sa_family AF_UNSPEC
        return Connect(fd, (byte*)&unspecified, sizeof(ushort)) == 0;
    }

    /// <summary>The socket's pending error (SO_ERROR, which reading clears), or the errno of getsockopt itself.</summary>
    public static int PendingError(int fd)
    {
        int error = 0;
        int length = sizeof(int);
        return GetSockOpt(fd, SOL_SOCKET, SO_ERROR, (byte*)&error, &length) == 0 ? error : LastError;
    }
}
