using System.Net.Sockets;
using Balance.Native;
using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>What a failed connect means, from the errno (epoll engine) or the socket error (sockets engine).</summary>
internal static class ConnectErrors
{
    public static ConnectOutcome FromErrno(int errno) => errno switch
    {
        0 => ConnectOutcome.Connected,
        Errno.ECONNREFUSED => ConnectOutcome.Refused,
        Errno.ETIMEDOUT => ConnectOutcome.TimedOut,
        Errno.ENETUNREACH or Errno.EHOSTUNREACH => ConnectOutcome.Unreachable,
        _ when Errno.IsResourceShortage(errno) => ConnectOutcome.LocalFailure,
        _ => ConnectOutcome.Other,
    };

    public static ConnectOutcome FromSocketError(SocketError error) => error switch
    {
        SocketError.Success => ConnectOutcome.Connected,
        SocketError.ConnectionRefused => ConnectOutcome.Refused,
        SocketError.TimedOut => ConnectOutcome.TimedOut,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => ConnectOutcome.Unreachable,
        SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable => ConnectOutcome.LocalFailure,
        _ => ConnectOutcome.Other,
    };

    /// <summary>The errno behind a socket error that means a local shortage, for the log line.</summary>
    public static int ShortageErrno(SocketError error) => error == SocketError.NoBufferSpaceAvailable ? Errno.ENOBUFS : Errno.EMFILE;
}
