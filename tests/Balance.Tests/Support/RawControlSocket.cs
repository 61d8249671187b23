using System.Net.Sockets;
using System.Text;
using Balance.Control;

namespace Balance.Tests.Support;

/// <summary>
/// A control socket spoken to byte by byte, as a hostile or careless client
/// would, or to see whether an instance answers on it. Every read ends with
/// the caller's cancellation.
/// </summary>
internal static class RawControlSocket
{
    public static async Task<Socket> ConnectAsync(string path, CancellationToken cancellation)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellation);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One '\n'-terminated line without the '\n', or what came before the end.</summary>
    public static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellation)
    {
        var line = new StringBuilder();
        byte[] one = new byte[1];
        while (await socket.ReceiveAsync(one, SocketFlags.None, cancellation) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }

    /// <summary>What one read brings (the greeting, for a client that sends nothing).</summary>
    public static async Task<string> ReadSomeAsync(Socket socket, CancellationToken cancellation)
    {
        byte[] buffer = new byte[256];
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    public static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellation)
    {
        var text = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0)
            {
                text.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A Unix socket closed with our bytes unread resets us after its answer.
        }

        return Encoding.UTF8.GetString(text.ToArray());
    }

    /// <summary>
    /// True when something accepts on the socket and greets like balance (and
    /// is ready, as the process <paramref name="pid"/>, when that is given);
    /// false when nothing does, or not within 5 seconds.
    /// </summary>
    public static async Task<bool> AnswersAsync(string path, int? pid = null)
    {
        if (!SocketFiles.IsSocket(path))
        {
            return false;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            using Socket socket = await ConnectAsync(path, timeout.Token);
            string greeting = await ReadLineAsync(socket, timeout.Token);
            GreetingKind kind = ControlProtocol.ParseGreeting(greeting, out int greeter);
            return pid is null ? kind != GreetingKind.Invalid : kind == GreetingKind.Ready && greeter == pid;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
