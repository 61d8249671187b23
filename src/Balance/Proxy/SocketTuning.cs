using System.Net.Sockets;

namespace Balance.Proxy;

/// <summary>Options every relayed socket gets: TCP_NODELAY and SO_KEEPALIVE.</summary>
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
}
