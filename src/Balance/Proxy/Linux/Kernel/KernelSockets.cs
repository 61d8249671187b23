using static Balance.Native.Libc;

namespace Balance.Proxy.Linux.Kernel;

/// <summary>What the kernel relay asks of a TCP socket: its cookie, the bytes written to it, and the kick after it enters the sockmap.</summary>
internal static unsafe class KernelSockets
{
    /// <summary>
    /// Runs the socket's data-ready callback (the verdict program, once the
    /// socket is in the sockmap) over what waits in its receive queue:
    /// setting SO_RCVLOWAT does, and 1 is the default it already has.
    /// </summary>
    public static void Kick(int fd) => _ = SetIntOption(fd, SOL_SOCKET, SO_RCVLOWAT, 1);

    /// <summary>
    /// Bytes written to a TCP socket since it opened, plus a constant: those
    /// acknowledged and those still in its send queue. -1 on failure. The
    /// acknowledged count is read first, so an acknowledgement arriving
    /// between the two reads can only make the sum smaller than the truth.
    /// </summary>
    public static long WrittenTo(int fd)
    {
        long acknowledged = Acknowledged(fd);
        int queued = 0;
        return acknowledged < 0 || Ioctl(fd, SIOCOUTQ, &queued) != 0 ? -1 : acknowledged + queued;
    }

    /// <summary>
    /// <see cref="WrittenTo"/> exactly, for the starting point the kernel's
    /// bytes are counted from (smaller than the truth there would count
    /// bytes as written that were not): taken while no acknowledgement
    /// arrives, which is known when the acknowledged count is the same
    /// before and after the queue is read. Nothing writes to the socket
    /// meanwhile. -1 when it cannot be had.
    /// </summary>
    public static long WrittenExactly(int fd)
    {
        for (int attempt = 0; attempt < 4; attempt++)
        {
            long before = Acknowledged(fd);
            int queued = 0;
            if (before < 0 || Ioctl(fd, SIOCOUTQ, &queued) != 0)
            {
                return -1;
            }

            if (Acknowledged(fd) == before)
            {
                return before + queued;
            }
        }

        return -1;
    }

    private static long Acknowledged(int fd)
    {
        byte* info = stackalloc byte[TcpInfoSize];
        int length = TcpInfoSize;
        return GetSockOpt(fd, IPPROTO_TCP, TCP_INFO, info, &length) != 0 || length < TcpInfoBytesAckedOffset + 8
            ? -1
            : (long)*(ulong*)(info + TcpInfoBytesAckedOffset);
    }

    public static bool Cookie(int fd, out ulong cookie)
    {
        ulong value = 0;
        int length = sizeof(ulong);
        bool ok = GetSockOpt(fd, SOL_SOCKET, SO_COOKIE, (byte*)&value, &length) == 0;
        cookie = value;
        return ok;
    }
}
