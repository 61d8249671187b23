using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Balance.Observability;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4) as UTF-8:
/// a family's HELP and TYPE lines, then its samples. Names and labels come
/// ready-encoded and values are formatted straight into the output, so a
/// scrape allocates nothing per sample.
/// </summary>
internal sealed class ExpositionWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Room for the value, the space before it and the newline: a long or a double's shortest form is under 32 bytes.</summary>
    private const int ValueRoom = 40;

    private readonly IBufferWriter<byte> _output;

    public ExpositionWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    /// <summary>Starts a family: one HELP and one TYPE line; its samples must follow before the next family.</summary>
    public void Family(string name, string type, string help)
    {
        Text("# HELP ");
        Text(name);
        Text(" ");
        Escaped(help, quotes: false);
        Text("\n# TYPE ");
        Text(name);
        Text(" ");
        Text(type);
        Text("\n");
    }

    /// <summary>
    /// One sample: <c>name{labels} value</c>. <paramref name="labels"/> are
    /// ready-made (<see cref="Label"/>), without braces; empty for none.
    /// </summary>
    public void Sample(ReadOnlySpan<byte> name, ReadOnlySpan<byte> labels, long value) =>
        Sample(name, default, labels, default, value);

    /// <summary>As <see cref="Sample(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long)"/> with a name suffix (<c>_bucket</c>) and one more label (<c>le="0.5"</c>) after the others.</summary>
    public void Sample(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel, long value)
    {
        Span<byte> span = _output.GetSpan(name.Length + suffix.Length + labels.Length + extraLabel.Length + 3 + ValueRoom);
        int at = Head(span, name, suffix, labels, extraLabel);
        Utf8Formatter.TryFormat(value, span[at..], out int written);
        at += written;
        span[at++] = (byte)'\n';
        _output.Advance(at);
    }

    public void Sample(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, double value)
    {
        Span<byte> span = _output.GetSpan(name.Length + suffix.Length + labels.Length + 3 + ValueRoom);
        int at = Head(span, name, suffix, labels, default);
        if (double.IsPositiveInfinity(value))
        {
            "+Inf"u8.CopyTo(span[at..]);
            at += 4;
        }
        else
        {
            // Shortest round-trip form, invariant culture: 0.0005, 1.5, 1E-05.
            value.TryFormat(span[at..], out int written, "R", CultureInfo.InvariantCulture);
            at += written;
        }

        span[at++] = (byte)'\n';
        _output.Advance(at);
    }

    /// <summary><c>name="value"</c> with the value escaped as the format asks (backslash, quote, newline).</summary>
    public static void Label(IBufferWriter<byte> output, string name, string value)
    {
        var writer = new ExpositionWriter(output);
        writer.Text(name);
        writer.Text("=\"");
        writer.Escaped(value, quotes: true);
        writer.Text("\"");
    }

    /// <summary>A metric name as the samples take it.</summary>
    public static byte[] Name(string name) => Encoding.ASCII.GetBytes(name);

    /// <summary><c>name{labels,extra} </c> into <paramref name="span"/>, which has room; returns its length.</summary>
    private static int Head(Span<byte> span, ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel)
    {
        int at = Put(span, 0, name);
        at = Put(span, at, suffix);
        if (!labels.IsEmpty || !extraLabel.IsEmpty)
        {
            span[at++] = (byte)'{';
            at = Put(span, at, labels);
            if (!labels.IsEmpty && !extraLabel.IsEmpty)
            {
                span[at++] = (byte)',';
            }

            at = Put(span, at, extraLabel);
            span[at++] = (byte)'}';
        }

        span[at++] = (byte)' ';
        return at;
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return at + bytes.Length;
    }

    /// <summary>HELP text escapes backslash and newline; label values also the double quote.</summary>
    private void Escaped(string text, bool quotes)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            string? escape = text[i] switch
            {
                '\\' => @"\\",
                '\n' => @"\n",
                '"' when quotes => "\\\"",
                _ => null,
            };
            if (escape is not null)
            {
                Text(text.AsSpan(start, i - start));
                Text(escape);
                start = i + 1;
            }
        }

        Text(text.AsSpan(start));
    }

    private void Text(ReadOnlySpan<char> text)
    {
        Span<byte> span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
