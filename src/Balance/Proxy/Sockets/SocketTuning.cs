using System.Net.Sockets;
using Balance.Native;

namespace Balance.Proxy.Sockets;

/// <summary>Options every relayed socket gets (TCP_NODELAY and SO_KEEPALIVE), and the abortive close.</summary>
internal static class SocketTuning
{
    public static void ForRelay(Socket socket)
    {
        try
        {
            socket.NoDelay = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        }
        catch (SocketException)
        {
            // The peer may already be gone; the relay notices that on its own.
        }
    }

    /// <summary>
    /// IP_BIND_ADDRESS_NO_PORT (Linux): a bind to a source address with port 0
    /// leaves the port to connect, which picks it for the whole 4-tuple; a
    /// bind that takes a port of its own runs out of ports under load.
    /// </summary>
    public static void BindPortAtConnect(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            Span<byte> on = stackalloc byte[4];
            BitConverter.TryWriteBytes(on, 1);
            try
            {
                socket.SetRawSocketOption(Libc.IPPROTO_IP, Libc.IP_BIND_ADDRESS_NO_PORT, on);
            }
            catch (SocketException)
            {
                // An older kernel: the bind takes its port at once, as before.
            }
        }
    }

    /// <summary>Makes the coming close send a reset (SO_LINGER 0) instead of a FIN behind unsent data.</summary>
    public static void ResetOnClose(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed or gone: nothing to reset.
        }
    }
}
