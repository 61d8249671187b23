using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balance.Tests.Support;

/// <summary>A client of the proxy over loopback TCP, with a timeout on every connect and read.</summary>
internal static class TestClient
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    public static async Task<Socket> ConnectAsync(int port, IPAddress? from = null, IPAddress? to = null)
    {
        to ??= IPAddress.Loopback;
        var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        using var timeout = new CancellationTokenSource(ReadTimeout);
        await socket.ConnectAsync(new IPEndPoint(to, port), timeout.Token);
        return socket;
    }

    /// <summary>Reads one '\n'-terminated line, or what came before EOF.</summary>
    public static async Task<string> ReadLineAsync(Socket socket)
    {
        var line = new StringBuilder();
        byte[] one = new byte[1];
        using var timeout = new CancellationTokenSource(ReadTimeout);
        while (await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }

    /// <summary>Reads until the peer closes; returns everything.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan? timeout = null)
    {
        var all = new MemoryStream();
        byte[] buffer = new byte[65536];
        using var cancel = new CancellationTokenSource(timeout ?? ReadTimeout);
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    /// <summary>Half-closes and reads until the backend's end of the connection; returns what came.</summary>
    public static Task<byte[]> FinishAsync(Socket socket)
    {
        socket.Shutdown(SocketShutdown.Send);
        return ReadToEndAsync(socket);
    }

    /// <summary>Connects and returns the greeting line of the backend that answered ("" if closed).</summary>
    public static async Task<string> WhoAnswersAsync(int port, IPAddress? from = null)
    {
        using Socket socket = await ConnectAsync(port, from);
        return await ReadLineAsync(socket);
    }

    /// <summary>True once the peer has closed the connection (EOF or reset) within the timeout.</summary>
    public static async Task<bool> IsClosedByPeerAsync(Socket socket, TimeSpan timeout)
    {
        byte[] buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
