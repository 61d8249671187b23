using System.Text;

namespace Balance.Observability;

/// <summary>The status line and headers of an answer; every answer closes the connection.</summary>
internal static class HttpResponse
{
    public static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };

    /// <summary>Writes the head of an answer with a body of <paramref name="contentLength"/> bytes into <paramref name="output"/>; returns its length.</summary>
    public static int WriteHead(Span<byte> output, int status, string contentType, long contentLength)
    {
        var text = new StringBuilder(256);
        text.Append("HTTP/1.1 ").Append(status).Append(' ').Append(Reason(status)).Append("\r\n");
        text.Append("Content-Type: ").Append(contentType).Append("\r\n");
        text.Append("Content-Length: ").Append(contentLength).Append("\r\n");
        if (status == 405)
        {
            text.Append("Allow: GET, HEAD\r\n");
        }

        text.Append("Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n");
        return Encoding.ASCII.GetBytes(text.ToString(), output);
    }

    /// <summary>A short plain-text answer for an error status: the body says the status.</summary>
    public static byte[] Error(int status)
    {
        string body = $"{status} {Reason(status)}\n";
        Span<byte> head = stackalloc byte[512];
        int length = WriteHead(head, status, "text/plain; charset=utf-8", body.Length);
        return [.. head[..length], .. Encoding.ASCII.GetBytes(body)];
    }
}
