using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>
/// A loopback listener whose accept queue is full: the kernel drops further
/// SYNs, so a connect to it hangs until the connector gives up.
/// </summary>
internal sealed class FullAcceptQueue : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _fillers = new();

    private FullAcceptQueue(Socket listener)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    public int Port { get; }

    /// <summary>On <paramref name="port"/> (0: any), for instance where a backend that answered was just stopped.</summary>
    public static async Task<FullAcceptQueue> CreateAsync(int port = 0)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(0);
        var queue = new FullAcceptQueue(listener);
        for (int i = 0; i < 16; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            queue._fillers.Add(filler);
            Task connect = filler.ConnectAsync(new IPEndPoint(IPAddress.Loopback, queue.Port));
            if (await Task.WhenAny(connect, Task.Delay(300)) != connect)
            {
                return queue; // this connect hangs: the queue is full
            }
        }

        throw new InvalidOperationException("could not fill the accept queue");
    }

    public void Dispose()
    {
        foreach (Socket filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }
}
