using System.Net;
using System.Net.Sockets;
using Balance.ConnectionLog;
using Balance.Proxy.ProxyProtocol;
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
    private SocketRelay? _relay;

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
            var remote = (IPEndPoint)_client.RemoteEndPoint!;
            IPAddress address = ClientHash.Normalize(remote.Address);
            if (_context.Log.DebugEnabled)
            {
                _context.Log.Debug($"connect from {address}");
            }

            SocketTuning.ForRelay(_client);
            ProxyAddresses? named = await ReadProxyHeaderAsync(address, stopping).ConfigureAwait(false);
            if (_context.Settings.AcceptProxyFrom is not null && named is null)
            {
                _client.Dispose();
                return;
            }

            ProxyAddresses addresses = named is { Family: not ProxyFamily.Unknown } fromHeader ? fromHeader
                : _context.Settings.SendProxy != 0 ? ProxyAddresses.FromEndPoints(remote, (IPEndPoint)_client.LocalEndPoint!)
                : default;
            attempt.Begin(addresses.Family == ProxyFamily.Unknown ? ClientHash.Of(address) : ClientHash.Of(addresses.ClientHashBytes));
            if (_context.ConnectionLog is not null)
            {
                bool known = addresses.Family != ProxyFamily.Unknown;
                attempt.NoteClient(known ? addresses.ClientHashBytes : address.GetAddressBytes(), known ? addresses.SourcePort : remote.Port);
            }
            bool dropped = false;
            do
            {
                while (attempt.TryNext(out IPEndPoint target))
                {
                    var (backend, outcome, errno) = await _connector.ConnectAsync(target, attempt, stopping).ConfigureAwait(false);
                    if (backend is not null)
                    {
                        attempt.Connected();
                        await RelayAsync(backend, attempt.Lease.Channel, addresses).ConfigureAwait(false);
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
            EndReason reason = _relay?.Reason
                ?? (_context.Stopping || stopping.IsCancellationRequested ? EndReason.Shutdown
                    : attempt.QueueTimedOut ? EndReason.QueueTimeout
                    : EndReason.AllChannelsFailed);
            attempt.End(reason, _relay?.Traffic);
        }
    }

    /// <summary>
    /// --accept-proxy: the client's header (a default with an unknown family:
    /// the connection's own addresses apply); null when the client was
    /// refused (not an allowed source, no valid header in time), counted.
    /// Without --accept-proxy: a default, at once.
    /// </summary>
    private async Task<ProxyAddresses?> ReadProxyHeaderAsync(IPAddress address, CancellationToken stopping)
    {
        if (_context.Settings.AcceptProxyFrom is not { } allowed)
        {
            return default(ProxyAddresses);
        }

        ProxyRejection? rejection = null;
        var reader = new ProxyHeaderReader();
        if (!allowed.Contains(address))
        {
            rejection = ProxyRejection.NotAllowedSource;
        }
        else
        {
            ProxyParseStatus status = await ProxyHeaderIntake.ReadAsync(_client, reader, _context.Settings.ProxyHeaderTimeout, _context.Clock, stopping).ConfigureAwait(false);
            if (status != ProxyParseStatus.Complete)
            {
                rejection = ProxyHeaderRejections.From(status);
            }
        }

        if (rejection is { } reason)
        {
            _context.ProxyRejections.Report(reason, address.GetAddressBytes());
            SocketTuning.ResetOnClose(_client);
            return null;
        }

        return reader.Header.Addresses;
    }

    private async Task RelayAsync(Socket backend, Channel channel, ProxyAddresses addresses)
    {
        byte[]? header = null;
        if (_context.Settings.SendProxy != 0)
        {
            header = new byte[ProxyV1Encoder.MaxLength];
            int length = _context.Settings.SendProxy == 1 ? ProxyV1Encoder.Write(addresses, header) : ProxyV2Encoder.Write(addresses, header);
            Array.Resize(ref header, length);
        }

        var relay = _relay = new SocketRelay(_client, backend, channel, _context, header);
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
