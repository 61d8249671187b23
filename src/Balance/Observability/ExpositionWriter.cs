using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Balance.Observability;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4) as UTF-8:
/// a family's HELP and TYPE lines, then its samples. Values are formatted
/// straight into the output, so a scrape allocates nothing per sample.
/// </summary>
internal sealed class ExpositionWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly IBufferWriter<byte> _output;

    public ExpositionWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    /// <summary>Starts a family: one HELP and one TYPE line; its samples must follow before the next family.</summary>
    public void Family(string name, string type, string help)
    {
        Ascii("# HELP ");
        Ascii(name);
        Raw(" "u8);
        Escaped(help, quotes: false);
        Ascii("\n# TYPE ");
        Ascii(name);
        Raw(" "u8);
        Ascii(type);
        Raw("\n"u8);
    }

    /// <summary>
    /// One sample: <c>name{labels} value</c>. <paramref name="labels"/> are
    /// ready-made (<see cref="Label"/>), without braces; empty for none.
    /// </summary>
    public void Sample(string name, ReadOnlySpan<byte> labels, long value) =>
        Sample(name, ReadOnlySpan<byte>.Empty, labels, ReadOnlySpan<byte>.Empty, value);

    /// <summary>As <see cref="Sample(string, ReadOnlySpan{byte}, long)"/> with a name suffix (<c>_bucket</c>) and one more label (<c>le="0.5"</c>) after the others.</summary>
    public void Sample(string name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel, long value)
    {
        Head(name, suffix, labels, extraLabel);
        Span<byte> span = _output.GetSpan(24);
        Utf8Formatter.TryFormat(value, span, out int written);
        span[written++] = (byte)'\n';
        _output.Advance(written);
    }

    public void Sample(string name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, double value)
    {
        Head(name, suffix, labels, ReadOnlySpan<byte>.Empty);
        Span<byte> span = _output.GetSpan(40);
        int written;
        if (double.IsPositiveInfinity(value))
        {
            "+Inf"u8.CopyTo(span);
            written = 4;
        }
        else
        {
            // Shortest round-trip form, invariant culture: 0.0005, 1.5, 1E-05.
            value.TryFormat(span, out written, "R", CultureInfo.InvariantCulture);
        }

        span[written++] = (byte)'\n';
        _output.Advance(written);
    }

    /// <summary><c>name="value"</c> with the value escaped as the format asks (backslash, quote, newline).</summary>
    public static void Label(IBufferWriter<byte> output, string name, string value)
    {
        var writer = new ExpositionWriter(output);
        writer.Ascii(name);
        writer.Raw("=\""u8);
        writer.Escaped(value, quotes: true);
        writer.Raw("\""u8);
    }

    private void Head(string name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel)
    {
        Ascii(name);
        Raw(suffix);
        if (!labels.IsEmpty || !extraLabel.IsEmpty)
        {
            Raw("{"u8);
            Raw(labels);
            if (!labels.IsEmpty && !extraLabel.IsEmpty)
            {
                Raw(","u8);
            }

            Raw(extraLabel);
            Raw("}"u8);
        }

        Raw(" "u8);
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    /// <summary>Metric names, types and fixed text are ASCII: one byte per char.</summary>
    private void Ascii(string text)
    {
        Span<byte> span = _output.GetSpan(text.Length);
        int written = Encoding.ASCII.GetBytes(text, span);
        _output.Advance(written);
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
                Utf8(text.AsSpan(start, i - start));
                Ascii(escape);
                start = i + 1;
            }
        }

        Utf8(text.AsSpan(start));
    }

    private void Utf8(ReadOnlySpan<char> text)
    {
        Span<byte> span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
