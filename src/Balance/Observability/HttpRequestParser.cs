using System.Text;

namespace Balance.Observability;

/// <summary>What a request asks for: GET or HEAD, and the path without its query.</summary>
internal readonly record struct HttpRequest(bool IsHead, string Path);

/// <summary>
/// The outcome of reading a request head so far: more bytes needed (status 0),
/// a request to answer (200), or the error status to answer with before closing.
/// </summary>
internal readonly record struct HttpParse(int Status, HttpRequest Request = default)
{
    public static readonly HttpParse Incomplete = new(0);

    public bool IsComplete => Status != 0;
}

/// <summary>
/// Reads an HTTP/1.x request head, strictly and within a size limit: the
/// request line, then header lines up to the empty line. Headers are checked
/// for shape and ignored (every answer closes the connection, so no body is
/// read). Pure, so every limit and every malformed input has a unit test.
/// </summary>
internal static class HttpRequestParser
{
    public const int MaxMethodLength = 16;

    /// <summary>
    /// Parses what has arrived so far. <paramref name="searchFrom"/> lets a
    /// caller that reads a trickle skip what it already searched (the end of
    /// the head is found from its last three bytes on), so a client sending a
    /// byte at a time costs linear, not quadratic, work.
    /// </summary>
    public static HttpParse Parse(ReadOnlySpan<byte> received, int maxHeadBytes, int searchFrom = 0)
    {
        int end = EndOfHead(received, Math.Max(0, searchFrom - 3));
        if (end < 0 || end > maxHeadBytes)
        {
            if (end < 0 && received.Length < maxHeadBytes)
            {
                return HttpParse.Incomplete;
            }

            // Too long: 414 when the request line alone did not fit, 431 when the headers did not.
            int firstLine = received.IndexOf((byte)'\n');
            return new HttpParse(firstLine < 0 || firstLine >= maxHeadBytes ? 414 : 431);
        }

        return ParseHead(received[..end]);
    }

    /// <summary>
    /// The length of the head, up to and including the empty line that ends
    /// it (a line feed right after a line feed, or after a line feed and a
    /// carriage return), or -1 while it is not all there.
    /// </summary>
    private static int EndOfHead(ReadOnlySpan<byte> received, int from)
    {
        for (int i = Math.Max(from, 1); i < received.Length; i++)
        {
            if (received[i] == (byte)'\n'
                && (received[i - 1] == (byte)'\n' || (i >= 2 && received[i - 1] == (byte)'\r' && received[i - 2] == (byte)'\n')))
            {
                return i + 1;
            }
        }

        return -1;
    }

    private static HttpParse ParseHead(ReadOnlySpan<byte> head)
    {
        int newline = head.IndexOf((byte)'\n');
        ReadOnlySpan<byte> requestLine = TrimCr(head[..newline]);
        ReadOnlySpan<byte> rest = head[(newline + 1)..];

        int first = requestLine.IndexOf((byte)' ');
        int last = requestLine.LastIndexOf((byte)' ');
        if (first <= 0 || last == first)
        {
            return new HttpParse(400);
        }

        ReadOnlySpan<byte> method = requestLine[..first];
        ReadOnlySpan<byte> target = requestLine[(first + 1)..last];
        ReadOnlySpan<byte> version = requestLine[(last + 1)..];
        if (method.Length > MaxMethodLength || !IsToken(method) || target.IsEmpty || target[0] != (byte)'/' || !IsVisible(target))
        {
            return new HttpParse(400);
        }

        if (!version.StartsWith("HTTP/"u8))
        {
            return new HttpParse(400);
        }

        if (!version.SequenceEqual("HTTP/1.1"u8) && !version.SequenceEqual("HTTP/1.0"u8))
        {
            return new HttpParse(505);
        }

        if (!HeadersAreWellFormed(rest))
        {
            return new HttpParse(400);
        }

        bool isGet = method.SequenceEqual("GET"u8);
        bool isHead = method.SequenceEqual("HEAD"u8);
        if (!isGet && !isHead)
        {
            return new HttpParse(405);
        }

        int query = target.IndexOf((byte)'?');
        string path = Encoding.ASCII.GetString(query < 0 ? target : target[..query]);
        return new HttpParse(200, new HttpRequest(isHead, path));
    }

    /// <summary>Each header line is <c>name: value</c>: a token, a colon, no control characters; no folded lines.</summary>
    private static bool HeadersAreWellFormed(ReadOnlySpan<byte> lines)
    {
        while (!lines.IsEmpty)
        {
            int newline = lines.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = TrimCr(newline < 0 ? lines : lines[..newline]);
            lines = newline < 0 ? default : lines[(newline + 1)..];
            if (line.IsEmpty)
            {
                continue; // the closing empty line
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                return false;
            }

            foreach (byte b in line[(colon + 1)..])
            {
                if ((b < 0x20 && b != (byte)'\t') || b == 0x7f)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsToken(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            bool ok = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok)
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }

    private static bool IsVisible(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if (b is <= 0x20 or >= 0x7f)
            {
                return false;
            }
        }

        return true;
    }
}
