using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Control.Helpers;

/// <summary>A loopback TCP port nobody listens on right now, picked by the kernel.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
