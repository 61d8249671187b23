using System.Net.Sockets;
using System.Text;

namespace Balance.Tests.Support;

/// <summary>
/// An HTTP exchange over a raw socket, so a test can send exactly the bytes
/// it means (malformed ones too): the request, then everything the server
/// answers until it closes.
/// </summary>
internal sealed record HttpAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    public static async Task<HttpAnswer> ExchangeAsync(int port, string request, bool halfClose = true)
    {
        using Socket socket = await TestClient.ConnectAsync(port);
        try
        {
            await socket.SendAsync(Encoding.Latin1.GetBytes(request), SocketFlags.None);
            if (halfClose)
            {
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (SocketException)
        {
            // The server answered and closed before taking all of a long request: read what it said.
        }

        return Parse(Encoding.UTF8.GetString(await TestClient.ReadToEndAsync(socket)));
    }

    /// <summary><c>GET PATH</c> the way an ordinary client asks.</summary>
    public static Task<HttpAnswer> GetAsync(int port, string path) =>
        ExchangeAsync(port, $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");

    public static HttpAnswer Parse(string text)
    {
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || end < 0)
        {
            throw new InvalidDataException($"not an HTTP answer: [{text[..Math.Min(text.Length, 200)]}]");
        }

        string[] lines = text[..end].Split("\r\n");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        return new HttpAnswer(int.Parse(lines[0].Split(' ')[1]), headers, text[(end + 4)..]);
    }
}
