using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balance.Tests.Support;

/// <summary>
/// A loopback server a test starts behind balance: it says its name and a
/// newline on connect, then echoes until the client half-closes, then closes
/// (so what a client reads tells which channel it reached, and byte counts are
/// exact); or echoes without a greeting; or reads to EOF before answering; or
/// takes the connection and does nothing with it.
/// </summary>
internal sealed class TestBackend : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _clients = new();
    private int _accepted;
    private int _open;

    public enum Behaviour
    {
        /// <summary>Sends "NAME\n" on connect, then echoes.</summary>
        GreetThenEcho,

        /// <summary>Echoes without a greeting.</summary>
        Echo,

        /// <summary>Reads until the client half-closes, then sends the reply and closes.</summary>
        ReplyAfterEof,

        /// <summary>Accepts and then never reads, writes or closes: a hung server.</summary>
        Silent,
    }

    public TestBackend(string name, Behaviour behaviour = Behaviour.GreetThenEcho, IPAddress? address = null, int backlog = 512, int port = 0)
    {
        Name = name;
        Mode = behaviour;
        address ??= IPAddress.Loopback;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(address, port));
        _listener.Listen(backlog);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        Channel = ((IPEndPoint)_listener.LocalEndPoint!).ToString();
        _ = AcceptLoopAsync();
    }

    public string Name { get; }

    public Behaviour Mode { get; }

    public int Port { get; }

    /// <summary>The channel balance is given for this backend: <c>127.0.0.1:PORT</c> or <c>[::1]:PORT</c>.</summary>
    public string Channel { get; }

    /// <summary>Bytes of the greeting, name and newline.</summary>
    public int GreetingLength => Encoding.ASCII.GetByteCount(Name) + 1;

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections whose serving has not ended yet (always counts <see cref="Behaviour.Silent"/> ones).</summary>
    public int Open => Volatile.Read(ref _open);

    public ConcurrentQueue<IPAddress> ClientAddresses { get; } = new();

    /// <summary>Reply sent by <see cref="Behaviour.ReplyAfterEof"/>: built from what was received.</summary>
    public Func<byte[], byte[]> ReplyFor { get; init; } = received => received;

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
            ClientAddresses.Enqueue(((IPEndPoint)client.RemoteEndPoint!).Address);
            _clients[client] = 0;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        Interlocked.Increment(ref _open);
        try
        {
            if (Mode == Behaviour.Silent)
            {
                return;
            }

            if (Mode == Behaviour.ReplyAfterEof)
            {
                var received = new MemoryStream();
                byte[] chunk = new byte[65536];
                int n;
                while ((n = await client.ReceiveAsync(chunk, SocketFlags.None, _stop.Token)) > 0)
                {
                    received.Write(chunk, 0, n);
                }

                await SendAllAsync(client, ReplyFor(received.ToArray()));
                client.Shutdown(SocketShutdown.Send);
                return;
            }

            if (Mode == Behaviour.GreetThenEcho)
            {
                await SendAllAsync(client, Encoding.ASCII.GetBytes(Name + "\n"));
            }

            byte[] buffer = new byte[65536];
            int read;
            while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                await SendAllAsync(client, buffer.AsMemory(0, read));
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            // The test decides what a broken connection means.
        }
        finally
        {
            // A served connection is closed once its exchange is over (a storm
            // of them must not pile up here); a silent one stays open, as taken.
            if (Mode != Behaviour.Silent)
            {
                _clients.TryRemove(client, out _);
                client.Dispose();
                Interlocked.Decrement(ref _open);
            }
        }
    }

    /// <summary>
    /// Sends a FIN on every connection taken so far, as a killed server's
    /// kernel does when nothing is left unread, and then stays silent.
    /// </summary>
    public void FinishAll()
    {
        foreach (Socket client in _clients.Keys)
        {
            client.Shutdown(SocketShutdown.Send);
        }
    }

    /// <summary>Resets every connection taken so far (RST, as a crashing server's kernel would send).</summary>
    public void ResetAll()
    {
        foreach (Socket client in _clients.Keys)
        {
            _clients.TryRemove(client, out _);
            Reset(client);
        }
    }

    internal static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    private async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, _stop.Token);
            data = data[sent..];
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
