using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>Free loopback ports, and checks that something listens on one.</summary>
internal static class Ports
{
    public static int Free()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// True when a socket listens on the port, read from /proc/net/tcp{,6}
    /// so that checking never opens a connection the proxy would route.
    /// </summary>
    public static bool IsListening(int port)
    {
        string hexPort = ":" + port.ToString("X4");
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[1].EndsWith(hexPort, StringComparison.Ordinal) && fields[3] == "0A")
                {
                    return true;
                }
            }
        }

        return false;
    }
}
