using System.Net;
using System.Net.Sockets;

namespace Balance.Proxy;

/// <summary>Connects to one channel within the connect timeout, from the -B address if given.</summary>
internal sealed class BackendConnector
{
    private readonly ProxySettings _settings;
    private readonly OutgoingSource _source;

    public BackendConnector(ProxySettings settings, OutgoingSource source)
    {
        _settings = settings;
        _source = source;
    }

    /// <summary>The connected socket, or null and why; <c>Failure</c> is set for <see cref="ConnectOutcome.LocalFailure"/>.</summary>
    public async Task<(Socket? Socket, ConnectOutcome Outcome, SocketException? Failure)> ConnectAsync(IPEndPoint target, CancellationToken stopping)
    {
        Socket socket;
        try
        {
            socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException e)
        {
            return (null, ConnectOutcome.LocalFailure, e);
        }

        try
        {
            BindOutgoing(socket, target);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(_settings.ConnectTimeout);
            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            SocketTuning.ForRelay(socket);
            return (socket, ConnectOutcome.Connected, null);
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            return (null, ConnectOutcome.TimedOut, null);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return (null, e.SocketErrorCode == SocketError.TimedOut ? ConnectOutcome.TimedOut : ConnectOutcome.Refused, null);
        }
    }

    private void BindOutgoing(Socket socket, IPEndPoint target)
    {
        if (_source.For(target.Address) is not IPAddress bind)
        {
            return;
        }

        try
        {
            socket.Bind(new IPEndPoint(bind, 0));
        }
        catch (SocketException e)
        {
            _source.BindFailed(e.Message);
        }
    }
}
