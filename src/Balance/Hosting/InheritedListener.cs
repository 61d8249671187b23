using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Balance.Native;
using Balance.Proxy.Linux;

namespace Balance.Hosting;

/// <summary>
/// A listen socket balance did not open itself (from systemd, or from the
/// instance it takes over): accepted only when it is a listening TCP socket on
/// the listen port (and on the -b address, when one is given).
/// </summary>
internal static unsafe class InheritedListener
{
    /// <summary>
    /// Why <paramref name="fd"/> cannot serve <paramref name="expected"/>, or
    /// null when it can. <paramref name="checkAddress"/>: -b was given.
    /// </summary>
    public static string? WhyNot(int fd, IPEndPoint expected, bool checkAddress)
    {
        int? type = Libc.IntOption(fd, Libc.SOL_SOCKET, Libc.SO_TYPE);
        if (type is null)
        {
            return $"descriptor {fd} is not a socket (errno {Libc.LastError})";
        }

        int? domain = Libc.IntOption(fd, Libc.SOL_SOCKET, Libc.SO_DOMAIN);
        if (type != Libc.SOCK_STREAM || domain is not (Libc.AF_INET or Libc.AF_INET6))
        {
            return $"descriptor {fd} is not a TCP socket";
        }

        if (Libc.IntOption(fd, Libc.SOL_SOCKET, Libc.SO_ACCEPTCONN) != 1)
        {
            return $"descriptor {fd} is not listening";
        }

        IPEndPoint? local = LocalEndPoint(fd);
        if (local is null)
        {
            return $"descriptor {fd}: getsockname failed (errno {Libc.LastError})";
        }

        if (local.Port != expected.Port)
        {
            return $"descriptor {fd} listens on port {local.Port}, not on {expected.Port}";
        }

        if (checkAddress && !SameAddress(local.Address, expected.Address))
        {
            return $"descriptor {fd} listens on {local.Address}, not on {expected.Address}";
        }

        return null;
    }

    /// <summary>The port a descriptor listens on, or 0 when it is not a listening TCP socket.</summary>
    public static int ListeningPort(int fd) =>
        Libc.IntOption(fd, Libc.SOL_SOCKET, Libc.SO_ACCEPTCONN) == 1
        && Libc.IntOption(fd, Libc.SOL_SOCKET, Libc.SO_TYPE) == Libc.SOCK_STREAM
        && LocalEndPoint(fd) is IPEndPoint local
            ? local.Port
            : 0;

    /// <summary>
    /// Wraps a checked descriptor. The relay options go on it as on a socket
    /// balance opens (accepted clients inherit them); they change nothing for
    /// another process sharing it.
    /// </summary>
    public static Socket Adopt(int fd)
    {
        _ = Libc.Fcntl(fd, Libc.F_SETFD, Libc.FD_CLOEXEC);
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        socket.NoDelay = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        return socket;
    }

    /// <summary>
    /// Before a listener another process shares is closed. .NET, closing a
    /// socket that is still in use, disconnects it to unblock the call, which
    /// for a listen socket would drop the successor's accept queue; it leaves
    /// alone a socket without close-on-exec, so the flag is taken off.
    /// </summary>
    public static void ReleaseToSuccessor(Socket listener)
    {
        _ = Libc.Fcntl((int)listener.Handle, Libc.F_SETFD, 0);
    }

    private static IPEndPoint? LocalEndPoint(int fd)
    {
        byte* buffer = stackalloc byte[128];
        int length = 128;
        if (Libc.GetSockName(fd, buffer, &length) != 0 || length < 8)
        {
            return null;
        }

        var sockaddr = new ReadOnlySpan<byte>(buffer, length);
        int port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        return new IPEndPoint(SocketAddressCodec.Address(sockaddr), port);
    }

    private static bool SameAddress(IPAddress a, IPAddress b) =>
        a.Equals(b) || (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);
}
