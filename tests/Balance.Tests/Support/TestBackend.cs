using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balance.Tests.Support;

/// <summary>
/// A loopback server a test starts behind balance: it says its name on connect
/// (when given one), then echoes; or reads to EOF before answering.
/// </summary>
internal sealed class TestBackend : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _clients = new();
    private int _accepted;

    public enum Behaviour
    {
        /// <summary>Sends "NAME\n" on connect, then echoes.</summary>
        GreetThenEcho,

        /// <summary>Echoes without a greeting.</summary>
        Echo,

        /// <summary>Reads until the client half-closes, then sends the reply and closes.</summary>
        ReplyAfterEof,
    }

    public TestBackend(string name, Behaviour behaviour = Behaviour.GreetThenEcho, IPAddress? address = null, int backlog = 512)
    {
        Name = name;
        Mode = behaviour;
        address ??= IPAddress.Loopback;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(backlog);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptLoopAsync();
    }

    public string Name { get; }

    public Behaviour Mode { get; }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

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
            _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
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
        foreach (Socket client in _clients)
        {
            client.Dispose();
        }
    }
}
