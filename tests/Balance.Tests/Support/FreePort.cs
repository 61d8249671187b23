using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>
/// The one way a test picks a TCP port number: for balance to listen on, for a
/// backend to come back on, or for a channel where nothing listens. Taken
/// below the kernel's ephemeral range (32768 and up here), so that neither an
/// outgoing connection nor a port-0 listener of a test running in parallel
/// takes it between the pick and its use; checked by binding it the way
/// balance does; never handed out twice. (Backends that need no number in
/// advance bind port 0 themselves.)
/// </summary>
internal static class FreePort
{
    private const int Low = 20000;
    private const int High = 32000;
    private static readonly HashSet<int> Given = new();

    public static int Next()
    {
        lock (Given)
        {
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                int port = Random.Shared.Next(Low, High);
                if (!Given.Contains(port) && CanBind(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException("no free port found");
    }

    private static bool CanBind(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
