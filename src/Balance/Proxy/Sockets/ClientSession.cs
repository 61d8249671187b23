using System.Net;
using System.Net.Sockets;
using Balance.Proxy.Session;
using Balance.Routing;

namespace Balance.Proxy.Sockets;

/// <summary>
/// One accepted client on the sockets engine: the shared connect walk picks
/// and fails over, this connects asynchronously and then relays. With no
/// channel left the client may wait in the queue at maxc for a slot;
/// otherwise it is closed, as the original did.
/// </summary>
internal sealed class ClientSession
{
    private readonly Socket _client;
    private readonly SessionContext _context;
    private readonly BackendConnector _connector;
    private readonly RelayRegistry _registry;

    public ClientSession(Socket client, SessionContext context, BackendConnector connector, RelayRegistry registry)
    {
        _client = client;
        _context = context;
        _connector = connector;
        _registry = registry;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var attempt = new ConnectAttempt(_context);
        try
        {
            IPAddress address = ClientHash.Normalize(((IPEndPoint)_client.RemoteEndPoint!).Address);
            if (_context.Log.DebugEnabled)
            {
                _context.Log.Debug($"connect from {address}");
            }

            SocketTuning.ForRelay(_client);
            attempt.Begin(ClientHash.Of(address));
            bool dropped = false;
            do
            {
                while (attempt.TryNext(out IPEndPoint target))
                {
                    var (backend, outcome, errno) = await _connector.ConnectAsync(target, attempt, stopping).ConfigureAwait(false);
                    if (backend is not null)
                    {
                        attempt.Connected();
                        await RelayAsync(backend, attempt.Lease.Channel).ConfigureAwait(false);
                        return;
                    }

                    if (!attempt.Failed(outcome, errno))
                    {
                        dropped = true;
                        break;
                    }
                }
            }
            while (!dropped && await SlotWaiter.WaitAsync(attempt, _context.Clock, stopping).ConfigureAwait(false));

            _client.Dispose();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _client.Dispose();
        }
        finally
        {
            attempt.Release();
        }
    }

    private async Task RelayAsync(Socket backend, Channel channel)
    {
        var relay = new SocketRelay(_client, backend, channel, _context);
        long id = _registry.Add(relay);
        try
        {
            await relay.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _registry.Remove(id);
        }
    }
}
