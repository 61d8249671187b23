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
    private readonly ResourceShortageLog _shortage;

    public ClientSession(
        Socket client, RoutingTable table, BackendConnector connector, SessionRegistry registry, ProxySettings settings, Log log, ResourceShortageLog shortage)
    {
        _shortage = shortage;
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
                var (backend, outcome, failure) = await _connector.ConnectAsync(lease.Channel.EndPoint, stopping).ConfigureAwait(false);
                if (backend is not null)
                {
                    ConnectTrace.Attempt(_log, lease, outcome);
                    await RelayAsync(backend, lease.Channel).ConfigureAwait(false);
                    return;
                }

                if (outcome == ConnectOutcome.LocalFailure)
                {
                    // No socket to be had (out of descriptors): the channel is not at
                    // fault, so no failover and no autodisable; this client is dropped.
                    _shortage.Report(failure!);
                    lease.Channel.EndConnection();
                    break;
                }

                ConnectTrace.Attempt(_log, lease, outcome);
                if (_table.Failed(cursor, lease))
                {
                    ConnectTrace.AutoDisabled(_log, lease);
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

    internal static string Describe(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port}"
            : $"{endPoint.Address}:{endPoint.Port}";
}
