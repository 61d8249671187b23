using System.Net.Sockets;
using System.Text;

namespace Balance.Hosting;

/// <summary>
/// Sends messages to the local syslog daemon through /dev/log, in the
/// classic format <c>&lt;PRI&gt;Balance[pid]: message</c>, facility daemon.
/// </summary>
internal sealed class SyslogWriter
{
    public const int Error = 3;
    public const int Notice = 5;
    private const int FacilityDaemon = 3;
    private const string DevLog = "/dev/log";

    private readonly Socket _socket;
    private readonly object _lock = new();
    private readonly int _pid = Environment.ProcessId;

    private SyslogWriter(Socket socket)
    {
        _socket = socket;
    }

    public static SyslogWriter? TryOpen()
    {
        if (!File.Exists(DevLog))
        {
            return null;
        }

        foreach (SocketType type in new[] { SocketType.Dgram, SocketType.Stream })
        {
            var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(DevLog));
                return new SyslogWriter(socket);
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        }

        return null;
    }

    public void Send(int severity, string message)
    {
        string line = $"<{(FacilityDaemon * 8) + severity}>Balance[{_pid}]: {message}";
        byte[] bytes = Encoding.UTF8.GetBytes(_socket.SocketType == SocketType.Stream ? line + "\0" : line);
        lock (_lock)
        {
            try
            {
                _socket.Send(bytes);
            }
            catch (SocketException)
            {
                // The syslog daemon went away: logging must never stop the proxy.
            }
        }
    }
}
