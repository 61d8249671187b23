using System.Net;
using System.Net.Sockets;
using Balance.Proxy.Session;
using Balance.Routing;

namespace Balance.Proxy.Sockets;

/// <summary>Opens one connection to a channel within the connect timeout (-t), from the -B source if any.</summary>
internal sealed class BackendConnector
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _clock;

    public BackendConnector(TimeSpan timeout, TimeProvider clock)
    {
        _timeout = timeout;
        _clock = clock;
    }

    /// <summary>The connected socket, or null with how the connect ended (and the errno of a local failure).</summary>
    public async Task<(Socket? Socket, ConnectOutcome Outcome, int Errno)> ConnectAsync(
        IPEndPoint target, ConnectAttempt attempt, CancellationToken stopping)
    {
        Socket socket;
        try
        {
            socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException e)
        {
            return (null, ConnectOutcome.LocalFailure, ConnectErrors.ShortageErrno(e.SocketErrorCode));
        }

        if (attempt.SourceFor(target) is IPAddress source)
        {
            try
            {
                SocketTuning.BindPortAtConnect(socket);
                socket.Bind(new IPEndPoint(source, 0));
            }
            catch (SocketException e)
            {
                attempt.SourceBindFailed(e.Message);
            }
        }

        try
        {
            using var timeout = new CancellationTokenSource(_timeout, _clock);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
            await socket.ConnectAsync(target, either.Token).ConfigureAwait(false);
            SocketTuning.ForRelay(socket);
            return (socket, ConnectOutcome.Connected, 0);
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            return (null, ConnectOutcome.TimedOut, 0);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            ConnectOutcome outcome = ConnectErrors.FromSocketError(e.SocketErrorCode);
            return (null, outcome, outcome == ConnectOutcome.LocalFailure ? ConnectErrors.ShortageErrno(e.SocketErrorCode) : 0);
        }
    }
}
