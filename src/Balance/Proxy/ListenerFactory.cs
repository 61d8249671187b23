using System.Net;
using System.Net.Sockets;
using Balance.Native;

namespace Balance.Proxy;

/// <summary>
/// Opens the listen socket: SO_REUSEADDR, backlog SOMAXCONN, dual-stack when no
/// -b is given, and the relay options (TCP_NODELAY, SO_KEEPALIVE), which Linux
/// hands down to every accepted socket: two system calls fewer per client.
/// </summary>
internal static class ListenerFactory
{
    public static Socket Open(ProxySettings settings)
    {
        IPEndPoint endPoint = settings.ListenEndPoint;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = settings.DualStack;
            }

            ReuseAddressOnly(socket);
            socket.NoDelay = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.Bind(endPoint);
            socket.Listen(int.MaxValue); // the kernel caps this at SOMAXCONN
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new BalanceException($"bind: {Describe(e)} ({endPoint})", ExitCodes.OsError);
        }
    }

    /// <summary>
    /// SO_REUSEADDR alone, so a restart binds past connections in TIME_WAIT.
    /// .NET's ReuseAddress adds SO_REUSEPORT on Linux, which would let a
    /// second instance bind the same port and share its clients instead of
    /// failing with "Address already in use". The HTTP status listener uses it too.
    /// </summary>
    public static void ReuseAddressOnly(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(Libc.SOL_SOCKET, Libc.SO_REUSEADDR, BitConverter.GetBytes(1));
        }
        else
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }
    }

    /// <summary>The default listen address: IPv6 any accepting IPv4 too, or IPv4 any where IPv6 is off.</summary>
    public static (IPAddress Address, bool DualStack) DefaultAddress() =>
        Socket.OSSupportsIPv6 ? (IPAddress.IPv6Any, true) : (IPAddress.Any, false);

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "Address already in use",
        SocketError.AddressNotAvailable => "Cannot assign requested address",
        SocketError.AccessDenied => "Permission denied",
        _ => e.Message,
    };
}
