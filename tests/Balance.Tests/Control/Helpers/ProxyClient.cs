using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balance.Tests.Control.Helpers;

/// <summary>A client connection through the proxy to a <see cref="GreetingBackend"/>.</summary>
internal sealed class ProxyClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly Socket _socket;

    private ProxyClient(Socket socket, string backend)
    {
        _socket = socket;
        Backend = backend;
    }

    /// <summary>The name the backend greeted with.</summary>
    public string Backend { get; }

    /// <summary>Connects through the proxy and reads the backend's greeting line.</summary>
    public static ProxyClient Open(int proxyPort)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, proxyPort));
            var line = new StringBuilder();
            var one = new byte[1];
            while (true)
            {
                if (socket.Receive(one) == 0)
                {
                    throw new IOException($"the proxy closed before a greeting; got '{line}'");
                }

                if (one[0] == (byte)'\n')
                {
                    break;
                }

                line.Append((char)one[0]);
            }

            return new ProxyClient(socket, line.ToString());
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="payload"/> and reads its echo.</summary>
    public void Echo(byte[] payload)
    {
        _socket.Send(payload);
        var echo = new byte[payload.Length];
        int filled = 0;
        while (filled < echo.Length)
        {
            int read = _socket.Receive(echo, filled, echo.Length - filled, SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("connection closed during echo");
            }

            filled += read;
        }

        Assert.Equal(payload, echo);
    }

    /// <summary>Half-closes and waits for the backend's end of the connection.</summary>
    public void Finish()
    {
        _socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[1024];
        while (_socket.Receive(buffer) > 0)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
