using System.Net.Sockets;
using System.Text;

namespace Balance.Tests.Control.Helpers;

/// <summary>A control socket spoken to byte by byte, as a hostile or careless client would.</summary>
internal static class RawControlSocket
{
    public static Socket Connect(string path, TimeSpan timeout)
    {
        int ms = (int)timeout.TotalMilliseconds;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = ms, SendTimeout = ms };
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    public static string ReadToEnd(Socket socket)
    {
        var text = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = socket.Receive(buffer)) > 0)
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
}
