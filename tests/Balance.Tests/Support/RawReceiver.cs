using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>
/// A backend that records the first bytes of each connection exactly as they
/// arrive (to see a PROXY header byte for byte), then answers "ok\n" and closes.
/// </summary>
internal sealed class RawReceiver : IDisposable
{
    private readonly Socket _listener;

    public RawReceiver(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        Channel = ((IPEndPoint)_listener.LocalEndPoint!).ToString();
    }

    public int Port { get; }

    public string Channel { get; }

    /// <summary>Accepts one connection and reads until <paramref name="expectedLength"/> bytes are in (or the peer closes, or 10 s pass).</summary>
    public async Task<byte[]> ReceiveAsync(int expectedLength)
    {
        using var timeout = new CancellationTokenSource(TestClient.ReadTimeout);
        using Socket connection = await _listener.AcceptAsync(timeout.Token);
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        while (received.Length < expectedLength)
        {
            int n = await connection.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
        }

        await connection.SendAsync("ok\n"u8.ToArray(), SocketFlags.None);
        connection.Shutdown(SocketShutdown.Both);
        return received.ToArray();
    }

    public void Dispose() => _listener.Dispose();
}
