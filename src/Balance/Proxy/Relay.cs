using System.Buffers;
using System.Net.Sockets;
using Balance.Routing;

namespace Balance.Proxy;

/// <summary>
/// Moves bytes both ways between a client and its channel until both
/// directions have ended (a FIN is passed on as a half-close) or either side
/// resets. Each direction waits with a zero-byte read, so an idle connection
/// holds no buffer; a pooled buffer is taken only while data is moving.
/// </summary>
internal sealed class Relay
{
    private const int ChunkSize = 64 * 1024;

    private readonly Socket _client;
    private readonly Socket _backend;
    private readonly Channel _channel;
    private readonly bool _packetDump;
    private int _closed;

    public Relay(Socket client, Socket backend, Channel channel, bool packetDump)
    {
        _client = client;
        _backend = backend;
        _channel = channel;
        _packetDump = packetDump;
        LastActivity = Environment.TickCount64;
    }

    /// <summary>Milliseconds tick of the last chunk in either direction, for the idle timeout.</summary>
    public long LastActivity { get; private set; }

    public async Task RunAsync()
    {
        Task upstream = PumpAsync(_client, _backend, clientToChannel: true);
        Task downstream = PumpAsync(_backend, _client, clientToChannel: false);
        await Task.WhenAll(upstream, downstream).ConfigureAwait(false);
        Close();
    }

    /// <summary>Ends the pair at once (reset of one side, idle timeout, shutdown).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _client.Dispose();
            _backend.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool clientToChannel)
    {
        try
        {
            while (true)
            {
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    int read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                    if (read == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    if (_packetDump)
                    {
                        PacketDump.Write(clientToChannel, buffer.AsSpan(0, read));
                    }

                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None).ConfigureAwait(false);
                    Count(clientToChannel, read);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            Close();
        }
    }

    private void Count(bool clientToChannel, int bytes)
    {
        LastActivity = Environment.TickCount64;
        if (clientToChannel)
        {
            _channel.AddSent(bytes);
        }
        else
        {
            _channel.AddReceived(bytes);
        }
    }
}
