using System.Net.Sockets;

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
