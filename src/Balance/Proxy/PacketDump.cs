using System.Text;

namespace Balance.Proxy;

/// <summary>
/// The -p representation of a relayed chunk: a header line <c>-&gt; N</c> or
/// <c>-&lt; N</c>, then printable ASCII as is, <c>\\</c> for a backslash and
/// <c>\XX</c> for any other byte, a line break after 0x0A, after more than 80
/// output characters and at the end of the chunk.
/// </summary>
internal static class PacketDump
{
    private const int LineWidth = 80;
    private static readonly object StdoutLock = new();
    /// <summary>Descriptor 1 itself once a proxy has called <see cref="Open"/>; System.Console until then.</summary>
    private static TextWriter? _stdout;

    public static string Format(bool clientToChannel, ReadOnlySpan<byte> chunk)
    {
        var text = new StringBuilder(chunk.Length * 2 + 16);
        text.Append(clientToChannel ? "-> " : "-< ").Append(chunk.Length).Append('\n');
        int column = 0;
        foreach (byte b in chunk)
        {
            if (b is >= 0x20 and < 0x7F)
            {
                if (b == '\\')
                {
                    text.Append("\\\\");
                    column += 2;
                }
                else
                {
                    text.Append((char)b);
                    column++;
                }
            }
            else
            {
                text.Append('\\').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                column += 3;
                if (b == 0x0A)
                {
                    text.Append('\n');
                    column = 0;
                }
            }

            if (column > LineWidth)
            {
                text.Append('\n');
                column = 0;
            }
        }

        text.Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// Opens stdout for the dump ahead of the first chunk, on descriptor 1 itself:
    /// System.Console would open it on first use, which fails once the
    /// descriptors are all taken (see <see cref="Hosting.StandardStreams"/>).
    /// </summary>
    public static void Open() => _stdout ??= Hosting.StandardStreams.OpenStdout();

    /// <summary>Writes one chunk whole, so chunks of concurrent connections never interleave.</summary>
    public static void Write(bool clientToChannel, ReadOnlySpan<byte> chunk)
    {
        string text = Format(clientToChannel, chunk);
        lock (StdoutLock)
        {
            TextWriter stdout = _stdout ?? Console.Out;
            stdout.Write(text);
            stdout.Flush();
        }
    }
}
