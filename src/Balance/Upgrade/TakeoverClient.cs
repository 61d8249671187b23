using System.Net;
using System.Net.Sockets;
using System.Text;
using Balance.Control;
using Balance.Hosting;
using Balance.Native;

namespace Balance.Upgrade;

/// <summary>
/// The successor's side of a takeover (<c>--takeover</c>): finds the running
/// instance for the same port and -b, receives its listen socket and state,
/// and, once serving, tells it to drain. Every failure before that leaves the
/// running instance as it was.
/// </summary>
internal sealed class TakeoverClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Socket _connection;

    private TakeoverClient(Socket connection, int oldPid, Socket listener, AdminState state)
    {
        _connection = connection;
        OldPid = oldPid;
        Listener = listener;
        State = state;
    }

    public int OldPid { get; }

    /// <summary>The listen socket, checked: a listening TCP socket on the listen port.</summary>
    public Socket Listener { get; }

    public AdminState State { get; }

    /// <summary>Asks the instance on <paramref name="port"/> (and <paramref name="bindAddress"/>) for its socket and state.</summary>
    public static TakeoverClient Start(int port, string? bindAddress, IPEndPoint listen, Action<string> trace)
    {
        string name = ControlSocketName.For(port, bindAddress);
        IReadOnlyList<string> directories = RunDirectory.FromEnvironment().SearchPath();
        ControlLocator.Found found = ControlLocator.Locate(directories, name, trace);
        switch (found.Status)
        {
            case ConnectStatus.Denied:
                throw new BalanceException($"balance: --takeover: permission denied on control socket {found.Path}", ExitCodes.NoPermission);
            case ConnectStatus.Busy:
                throw new BalanceException($"balance: --takeover: control socket {found.Path} is busy, try again", ExitCodes.Unavailable);
            case not ConnectStatus.Ready:
                throw new BalanceException(
                    $"balance: --takeover: no running instance for port {port} to take over (no answer on {found.Path})", ExitCodes.Unavailable);
        }

        var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        int fd = -1;
        try
        {
            connection.Connect(new UnixDomainSocketEndPoint(found.Path));
            string greeting = ReadLine(connection, ref fd);
            if (ControlProtocol.ParseGreeting(greeting, out _) != GreetingKind.Ready)
            {
                throw Failed($"the instance at {found.Path} did not greet (\"{greeting}\")", ExitCodes.Unavailable);
            }

            connection.Send(Encoding.ASCII.GetBytes(TakeoverProtocol.Request + "\n"));
            string line = ReadLine(connection, ref fd);
            if (TakeoverProtocol.IsOrdinaryReply(line))
            {
                string answer = ReadLine(connection, ref fd);
                throw Failed(
                    $"the running instance (pid {found.Pid}) does not support takeover (it answered \"{answer}\"): restart it instead",
                    ExitCodes.Unavailable);
            }

            if (TakeoverProtocol.RefusalReason(line) is string reason)
            {
                throw Failed($"the running instance (pid {found.Pid}) refused: {reason}", ExitCodes.Unavailable);
            }

            if (!TakeoverProtocol.TryParseOffer(line, out int oldPid, out int length) || fd < 0)
            {
                throw Failed($"unexpected answer from pid {found.Pid}: \"{line}\"", ExitCodes.Unavailable);
            }

            if (InheritedListener.WhyNot(fd, listen, checkAddress: bindAddress is not null) is string why)
            {
                throw Failed($"refused the socket pid {oldPid} passed: {why}", ExitCodes.Unavailable);
            }

            AdminState state = AdminStateDocument.Read(ReadExactly(connection, length));
            Socket listener = InheritedListener.Adopt(fd);
            trace($"took the listen socket and {state.Channels.Count} channel changes from pid {oldPid}");
            return new TakeoverClient(connection, oldPid, listener, state);
        }
        catch (Exception e)
        {
            if (fd >= 0)
            {
                _ = Libc.Close(fd);
            }

            connection.Dispose();
            throw e switch
            {
                BalanceException => e,
                FormatException => Failed(e.Message, ExitCodes.Unavailable),
                SocketException s => Failed($"control connection to {found.Path}: {s.Message}", ExitCodes.Unavailable),
                _ => e,
            };
        }
    }

    /// <summary>
    /// Tells the old instance this one accepts: it stops accepting and drains.
    /// Waits until it has let go of its control socket and status port.
    /// Returns how long the old instance lets its relays finish, or null when it did not say.
    /// </summary>
    public int? Complete()
    {
        try
        {
            _connection.Send(Encoding.ASCII.GetBytes(TakeoverProtocol.Accepting + "\n"));
            int none = -1;
            int? drain = TakeoverProtocol.DrainSeconds(ReadLine(_connection, ref none));
            byte[] rest = new byte[256];
            while (_connection.Receive(rest) > 0)
            {
            }

            return drain;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static BalanceException Failed(string message, int exitCode) => new($"balance: --takeover: {message}", exitCode);

    /// <summary>One line, a byte at a time, so that the descriptor sent along with it is not missed.</summary>
    private static string ReadLine(Socket connection, ref int fd)
    {
        var line = new StringBuilder();
        Span<byte> one = stackalloc byte[1];
        while (line.Length < ControlProtocol.MaxLineBytes)
        {
            int received = DescriptorPassing.Receive((int)connection.Handle, one, ref fd, out int errno);
            if (received < 0)
            {
                throw new SocketException(errno == Errno.EAGAIN ? (int)SocketError.TimedOut : errno);
            }

            if (received == 0 || one[0] == '\n')
            {
                break;
            }

            line.Append((char)one[0]);
        }

        return line.ToString();
    }

    private static byte[] ReadExactly(Socket connection, int length)
    {
        byte[] buffer = new byte[length];
        int filled = 0;
        while (filled < length)
        {
            int read = connection.Receive(buffer, filled, length - filled, SocketFlags.None);
            if (read == 0)
            {
                throw new FormatException("state document: the instance closed the connection early");
            }

            filled += read;
        }

        return buffer;
    }

    public void Dispose() => _connection.Dispose();
}
