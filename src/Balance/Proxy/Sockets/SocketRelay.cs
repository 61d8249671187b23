using System.Net.Sockets;
using Balance.ConnectionLog;
using Balance.Proxy.Session;
using Balance.Routing;

namespace Balance.Proxy.Sockets;

/// <summary>
/// Moves bytes both ways between a client and its channel until both
/// directions have ended (a FIN is passed on as a half-close) or either side
/// resets. Each direction waits with a zero-byte read, so an idle connection
/// holds no buffer; a pooled native buffer is taken only while data is moving.
/// A direction waiting on a slow destination reads nothing from its source,
/// so <see cref="SourceFailed"/> lets a sweep notice a reset there.
/// </summary>
internal sealed class SocketRelay
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Shared by every relay; keeps 2 MiB of free buffers at most.</summary>
    private static readonly NativeBufferPool Buffers = new(ChunkSize, keep: 32);

    private readonly Socket _client;
    private readonly Socket _backend;
    private readonly bool _packetDump;
    private readonly TimeProvider _clock;
    private int _closed;
    private bool _reset;
    private long _upSendingSince;
    private long _downSendingSince;

    /// <summary>--send-proxy: sent to the backend before any client byte, counted in neither sent nor rcvd.</summary>
    private readonly byte[]? _proxyHeader;

    public SocketRelay(Socket client, Socket backend, Channel channel, SessionContext context, byte[]? proxyHeader = null)
    {
        _proxyHeader = proxyHeader;
        _client = client;
        _backend = backend;
        _packetDump = context.Settings.PacketDump;
        _clock = context.Clock;
        Traffic.Begin(channel, _clock.Milliseconds());
    }

    /// <summary>Bytes counted, last activity and half-close, for the counters and the timeouts.</summary>
    public PairTraffic Traffic { get; } = new();

    public async Task RunAsync()
    {
        if (_proxyHeader is not null && !await SendProxyHeaderAsync().ConfigureAwait(false))
        {
            return;
        }

        Task upstream = PumpAsync(_client, _backend, clientToChannel: true);
        Task downstream = PumpAsync(_backend, _client, clientToChannel: false);
        await Task.WhenAll(upstream, downstream).ConfigureAwait(false);
        Close(reset: false);
    }

    /// <summary>
    /// Ends the pair at once (reset of one side, a timeout, shutdown): both
    /// sides get a reset, so neither peer waits on data that will never come.
    /// </summary>
    public void Abort(EndReason reason)
    {
        Traffic.Ending(reason);
        Close(reset: true);
    }

    private void Abort() => Abort(EndReason.Reset);

    /// <summary>Why the pair ended, once it has (see <see cref="PairTraffic.EndedBecause"/>).</summary>
    public EndReason Reason => Traffic.EndedBecause(Volatile.Read(ref _reset));

    private void Close(bool reset)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Volatile.Write(ref _reset, reset);
            if (reset)
            {
                SocketTuning.ResetOnClose(_client);
                SocketTuning.ResetOnClose(_backend);
            }

            _client.Dispose();
            _backend.Dispose();
        }
    }

    private async Task<bool> SendProxyHeaderAsync()
    {
        try
        {
            await _backend.SendAsync(_proxyHeader.AsMemory(), SocketFlags.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Abort();
            return false;
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool clientToChannel)
    {
        try
        {
            while (true)
            {
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                NativeBuffer buffer = Buffers.Rent();
                try
                {
                    int read = await from.ReceiveAsync(buffer.Memory, SocketFlags.None).ConfigureAwait(false);
                    if (read == 0)
                    {
                        Traffic.HalfClose(clientToChannel);
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    if (_packetDump)
                    {
                        PacketDump.Write(clientToChannel, buffer.GetSpan()[..read]);
                    }

                    Volatile.Write(ref clientToChannel ? ref _upSendingSince : ref _downSendingSince, _clock.Milliseconds());
                    await to.SendAsync(buffer.Memory[..read], SocketFlags.None).ConfigureAwait(false);
                    Volatile.Write(ref clientToChannel ? ref _upSendingSince : ref _downSendingSince, 0);
                    Traffic.Moved(clientToChannel, read, _clock.Milliseconds());
                }
                finally
                {
                    Buffers.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            Abort();
        }
    }

    /// <summary>
    /// True when a direction has waited on its destination for at least
    /// <paramref name="stalledMs"/> and its source has failed meanwhile (reset,
    /// keepalive timeout): nobody reads that source, so nothing else would notice.
    /// </summary>
    public bool SourceFailed(long now, long stalledMs) =>
        (Stalled(ref _upSendingSince, now, stalledMs) && HasError(_client))
        || (Stalled(ref _downSendingSince, now, stalledMs) && HasError(_backend));

    private static bool Stalled(ref long since, long now, long stalledMs)
    {
        long start = Volatile.Read(ref since);
        return start != 0 && now - start >= stalledMs;
    }

    private static bool HasError(Socket socket)
    {
        try
        {
            return socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error && error != 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }
}
