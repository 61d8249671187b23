using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balance.Tests.Control.Helpers;

/// <summary>
/// A loopback TCP backend: greets every connection with its name and a
/// newline, then echoes what it receives until the client half-closes, then
/// closes. What a client sees tells which channel it reached; byte counts are exact.
/// </summary>
internal sealed class GreetingBackend : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    public GreetingBackend(string name)
    {
        Name = name;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Channel => $"127.0.0.1:{Port}";

    public int Accepted => Volatile.Read(ref _accepted);

    public int GreetingLength => Encoding.ASCII.GetByteCount(Name) + 1;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await client.SendAsync(Encoding.ASCII.GetBytes(Name + "\n"), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                var buffer = new byte[16384];
                while (true)
                {
                    int read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
