using System.Net;
using System.Net.Sockets;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy;

/// <summary>
/// One accepted client: picks a channel, connects with failover through the
/// groups, then relays. With no channel left the client is closed, as the
/// original did.
/// </summary>
internal sealed class ClientSession
{
    private readonly Socket _client;
    private readonly RoutingTable _table;
    private readonly BackendConnector _connector;
    private readonly SessionRegistry _registry;
    private readonly ProxySettings _settings;
    private readonly Log _log;

    public ClientSession(Socket client, RoutingTable table, BackendConnector connector, SessionRegistry registry, ProxySettings settings, Log log)
    {
        _client = client;
        _table = table;
        _connector = connector;
        _registry = registry;
        _settings = settings;
        _log = log;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            IPAddress address = ClientHash.Normalize(((IPEndPoint)_client.RemoteEndPoint!).Address);
            if (_log.DebugEnabled)
            {
                _log.Debug($"connect from {address}");
            }

            SocketTuning.ForRelay(_client);
            var cursor = new RouteCursor(ClientHash.Of(address));
            while (_table.Next(cursor) is ChannelLease lease)
            {
                var (backend, outcome) = await _connector.ConnectAsync(lease.Channel.EndPoint, stopping).ConfigureAwait(false);
                if (backend is not null)
                {
                    TraceAttempt(lease, outcome);
                    await RelayAsync(backend, lease.Channel).ConfigureAwait(false);
                    return;
                }

                TraceAttempt(lease, outcome);
                if (_table.Failed(cursor, lease))
                {
                    _log.Notice($"connection failed group {lease.Group} channel {lease.Index}");
                    _log.Notice($"{Describe(lease.Channel.EndPoint)} needs to be enabled manually using balance -i after the problem is solved");
                }

                if (stopping.IsCancellationRequested)
                {
                    break;
                }
            }

            _client.Dispose();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _client.Dispose();
        }
    }

    private async Task RelayAsync(Socket backend, Channel channel)
    {
        var relay = new Relay(_client, backend, channel, _settings.PacketDump);
        long id = _registry.Add(relay);
        try
        {
            await relay.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _registry.Remove(id);
            channel.EndConnection();
        }
    }

    private void TraceAttempt(ChannelLease lease, ConnectOutcome outcome)
    {
        if (!_log.DebugEnabled)
        {
            return;
        }

        string result = outcome switch
        {
            ConnectOutcome.Connected => $"connect to channel {lease.Index} successful",
            ConnectOutcome.TimedOut => $"timeout group {lease.Group} channel {lease.Index}",
            _ => $"connection refused group {lease.Group} channel {lease.Index}",
        };
        _log.Debug($"trying group {lease.Group} channel {lease.Index} ... {result}");
    }

    internal static string Describe(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port}"
            : $"{endPoint.Address}:{endPoint.Port}";
}
