using System.Net;
using System.Net.Sockets;
using Balance.Native;
using Balance.Proxy.Session;

namespace Balance.Proxy.Linux;

/// <summary>Opens a non-blocking socket to a channel, bound to the -B source if any, and starts the connect.</summary>
internal static unsafe class BackendSocket
{
    /// <summary>
    /// Returns 0 (connected at once), EINPROGRESS or the connect's errno, with
    /// the socket in <paramref name="fd"/>; or, with <paramref name="fd"/> -1,
    /// the errno of a socket that could not be opened (out of descriptors).
    /// </summary>
    public static int Open(IPEndPoint target, ConnectAttempt attempt, out int fd) => Open(target, attempt.Source, out fd);

    /// <summary>As above, from <paramref name="source"/>: a client's connect, or a health check's (which starts where clients' do).</summary>
    public static int Open(IPEndPoint target, OutgoingSource source, out int fd)
    {
        bool v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        fd = Libc.Socket(v6 ? Libc.AF_INET6 : Libc.AF_INET, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return Libc.LastError;
        }

        byte* address = stackalloc byte[SocketAddressCodec.MaxLength];
        var span = new Span<byte>(address, SocketAddressCodec.MaxLength);
        if (source.For(target.Address) is IPAddress from)
        {
            // The port is chosen at connect time, for the whole 4-tuple: a bind
            // to port 0 would take a port of its own and run out under load.
            _ = Libc.SetIntOption(fd, Libc.IPPROTO_IP, Libc.IP_BIND_ADDRESS_NO_PORT, 1);
            if (Libc.Bind(fd, address, SocketAddressCodec.Write(from, 0, span)) != 0)
            {
                source.BindFailed(System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(Libc.LastError));
            }
        }

        return Connect(fd, target, span);
    }

    /// <summary>Connects a socket <see cref="Open(IPEndPoint, OutgoingSource, out int)"/> opened, now disconnected, again: 0, EINPROGRESS or the errno.</summary>
    public static int Reconnect(int fd, IPEndPoint target)
    {
        byte* address = stackalloc byte[SocketAddressCodec.MaxLength];
        return Connect(fd, target, new Span<byte>(address, SocketAddressCodec.MaxLength));
    }

    private static int Connect(int fd, IPEndPoint target, Span<byte> address)
    {
        int length = SocketAddressCodec.Write(target.Address, target.Port, address);
        fixed (byte* start = address)
        {
            return Libc.Connect(fd, start, length) == 0 ? 0 : Libc.LastError;
        }
    }
}
