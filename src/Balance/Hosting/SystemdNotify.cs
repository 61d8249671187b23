using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Balance.Hosting;

/// <summary>
/// Status for systemd (sd_notify(3)): one datagram to NOTIFY_SOCKET per
/// change. Without the variable nothing is sent; a failure to send is
/// ignored, as systemd may be gone or the socket full: serving comes first.
/// </summary>
internal sealed class SystemdNotify : IDisposable
{
    public const string Variable = "NOTIFY_SOCKET";
    public const string Stopping = "STOPPING=1\n";

    private readonly UnixDomainSocketEndPoint _address;
    private readonly Socket _socket;

    private SystemdNotify(UnixDomainSocketEndPoint address)
    {
        _address = address;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    /// <summary>The notifier for NOTIFY_SOCKET, or null when the variable is not set (or not a socket name).</summary>
    public static SystemdNotify? FromEnvironment() => For(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The notifier for a NOTIFY_SOCKET value, or null when it names no socket.</summary>
    public static SystemdNotify? For(string? notifySocket) =>
        Address(notifySocket) is UnixDomainSocketEndPoint address ? new SystemdNotify(address) : null;

    /// <summary>
    /// The socket NOTIFY_SOCKET names: a path, or with a leading '@' a name in
    /// the abstract namespace (a NUL byte first on the wire). Anything else is
    /// not a socket systemd would give, and is ignored.
    /// </summary>
    public static UnixDomainSocketEndPoint? Address(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value[0] is not ('/' or '@'))
        {
            return null;
        }

        try
        {
            return new UnixDomainSocketEndPoint(value[0] == '@' ? "\0" + value[1..] : value);
        }
        catch (ArgumentException)
        {
            return null; // too long for a socket address
        }
    }

    /// <summary>Ready to serve; after a takeover with the new main pid, so systemd follows this process.</summary>
    public static string Ready(int? mainPid) =>
        mainPid is int pid ? string.Create(CultureInfo.InvariantCulture, $"MAINPID={pid}\nREADY=1\n") : "READY=1\n";

    public void Send(string message)
    {
        try
        {
            _socket.SendTo(Encoding.ASCII.GetBytes(message), _address);
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
