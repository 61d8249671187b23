namespace Balance.Tests.Support;

/// <summary>
/// The kernel's TCP table (/proc/net/tcp and tcp6): whether a port listens and
/// how many connections it has, learnt without opening a connection the proxy
/// would route. (A port to listen on comes from <see cref="FreePort"/>.)
/// </summary>
internal static class TcpTable
{
    private const string Listen = "0A";
    private const string EstablishedState = "01";

    /// <summary>True when a socket listens on the port (any address).</summary>
    public static bool IsListening(int port) => Count(port, Listen) > 0;

    /// <summary>
    /// Connections in state ESTABLISHED whose local port is <paramref name="port"/>
    /// (on a backend's port: the server ends of the connections balance holds open to it).
    /// </summary>
    public static int Established(int port) => Count(port, EstablishedState);

    private static int Count(int port, string state)
    {
        string hexPort = ":" + port.ToString("X4");
        int count = 0;
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[1].EndsWith(hexPort, StringComparison.Ordinal) && fields[3] == state)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
