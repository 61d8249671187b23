using System.Net.Sockets;
using System.Text;
using Balance.Native;

namespace Balance.Control;

/// <summary>
/// The shell's side of one control connection: connect, read the greeting,
/// send one command, read the answer until the instance closes.
/// </summary>
internal sealed class ControlConnection : IDisposable
{
    /// <summary>Long enough for an instance resolving a host name for create or assign.</summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private ControlConnection(Socket socket, int pid)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        Pid = pid;
    }

    /// <summary>The instance's process id, as the kernel reports it for this connection.</summary>
    public int Pid { get; private set; }

    public static ConnectStatus TryOpen(string path, Action<string> trace, out ControlConnection? connection)
    {
        connection = null;
        if (!FileStat.TryLStat(path, out FileStat stat, out int errno))
        {
            trace(errno == Errno.ENOENT ? $"{path}: not there" : $"{path}: cannot look (errno {errno})");
            return errno == Errno.EACCES ? ConnectStatus.Denied : ConnectStatus.Absent;
        }

        if (!stat.IsSocket)
        {
            trace($"{path}: not a socket, ignored");
            return ConnectStatus.Absent;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.ReceiveTimeout = (int)ReplyTimeout.TotalMilliseconds;
            socket.SendTimeout = (int)ReplyTimeout.TotalMilliseconds;
            socket.Connect(new UnixDomainSocketEndPoint(path));

            // connect() follows a symlink that lstat() did not see: one swapped in
            // between would lead to another instance (say root's, when root looks
            // through the users' directories). An instance owns its socket file, so
            // whoever answers must be the owner of the file that was looked at.
            PeerCredentials peer = PeerCredentials.Of(socket);
            if (peer.Uid != stat.Uid)
            {
                socket.Dispose();
                trace($"{path}: answered by uid {peer.Uid}, not by the owner of the socket (uid {stat.Uid}), ignored");
                return ConnectStatus.Absent;
            }

            var opened = new ControlConnection(socket, peer.Pid);
            ConnectStatus status = opened.ReadGreeting(path, trace);
            if (status == ConnectStatus.Ready)
            {
                connection = opened;
            }
            else
            {
                opened.Dispose();
            }

            return status;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            trace($"{path}: {Describe(e.SocketErrorCode)}");
            return e.SocketErrorCode == SocketError.AccessDenied ? ConnectStatus.Denied : ConnectStatus.Absent;
        }
        catch (IOException e)
        {
            socket.Dispose();
            trace($"{path}: {e.Message}");
            return ConnectStatus.Absent;
        }
    }

    private ConnectStatus ReadGreeting(string path, Action<string> trace)
    {
        GreetingKind greeting = ControlProtocol.ParseGreeting(_reader.ReadLine(), out int announcedPid);
        trace(greeting switch
        {
            GreetingKind.Ready => $"{path}: answers",
            GreetingKind.Denied => $"{path}: the instance refuses this user",
            GreetingKind.Busy => $"{path}: busy",
            _ => $"{path}: does not answer like balance",
        });
        if (Pid <= 0)
        {
            Pid = announcedPid; // the instance is in another pid namespace
        }

        return greeting switch
        {
            GreetingKind.Ready => ConnectStatus.Ready,
            GreetingKind.Denied => ConnectStatus.Denied,
            GreetingKind.Busy => ConnectStatus.Busy,
            _ => ConnectStatus.Absent,
        };
    }

    /// <summary>Sends one command line; returns the instance's answer. Throws IOException when cut off.</summary>
    public ControlReply Execute(int group, string line)
    {
        byte[] request = Encoding.UTF8.GetBytes(ControlProtocol.Request(group, line));
        _stream.Write(request);
        _stream.Flush();
        _socket.Shutdown(SocketShutdown.Send);
        if (!ControlProtocol.TryParseReplyHeader(_reader.ReadLine(), out ReplyAction action, out int newGroup, out int drainSeconds))
        {
            throw new IOException("the instance closed the control connection without an answer");
        }

        return new ControlReply(_reader.ReadToEnd(), newGroup, action, drainSeconds);
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "stale, nobody listens",
        SocketError.AccessDenied => "permission denied",
        _ => error.ToString(),
    };

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }
}
