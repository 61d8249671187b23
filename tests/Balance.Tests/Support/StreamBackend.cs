using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>
/// A loopback server that sends <see cref="Pattern"/> on every connection: a
/// fixed number of bytes and then a FIN, or without end until the connection
/// breaks. It reads and drops whatever the client sends, and counts what it
/// sent, so a test can see a transfer stall or move.
/// </summary>
internal sealed class StreamBackend : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _clients = new();
    private int _accepted;
    private int _open;
    private long _bytesSent;

    /// <param name="length">Bytes to send on each connection; negative: send until the connection breaks.</param>
    public StreamBackend(long length)
    {
        Length = length;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptLoopAsync();
    }

    public long Length { get; }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections still being served (neither finished nor broken).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Bytes handed to the kernel so far, all connections together.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            Interlocked.Increment(ref _open);
            _clients[client] = 0;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        Task draining = DrainAsync(client);
        try
        {
            for (long sent = 0; Length < 0 || sent < Length;)
            {
                int want = (int)(Length < 0 ? Chunk : Math.Min(Chunk, Length - sent));
                int n = await client.SendAsync(Pattern.Slice(sent, want), SocketFlags.None, _stop.Token);
                sent += n;
                Interlocked.Add(ref _bytesSent, n);
            }

            client.Shutdown(SocketShutdown.Send);
            await draining;
        }
        catch (Exception)
        {
            // Broken by the peer or by the test: that is what the tests look at.
        }
        finally
        {
            _clients.TryRemove(client, out _);
            client.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task DrainAsync(Socket client)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
            {
            }
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Resets every open connection, as the kernel does for a server that crashes mid-stream.</summary>
    public void ResetAll()
    {
        foreach (Socket client in _clients.Keys)
        {
            TestBackend.Reset(client);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (Socket client in _clients.Keys)
        {
            client.Dispose();
        }
    }
}
