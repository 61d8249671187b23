using System.Buffers;
using System.Text;
using Balance.Observability;

namespace Balance.Tests.Observability;

public sealed class ExpositionWriterTests
{
    [Fact]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        var output = new ArrayBufferWriter<byte>();
        ExpositionWriter.Label(output, "address", "a\\b\"c\nd é");
        Assert.Equal("address=\"a\\\\b\\\"c\\nd é\"", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Help_escapes_backslash_and_newline_but_not_quotes()
    {
        var output = new ArrayBufferWriter<byte>();
        new ExpositionWriter(output).Family("x_total", "counter", "say \"hi\"\\\nnext");
        Assert.Equal("# HELP x_total say \"hi\"\\\\\\nnext\n# TYPE x_total counter\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Samples_with_and_without_labels()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new ExpositionWriter(output);
        writer.Sample("up"u8, default, 1);
        writer.Sample("h"u8, "_bucket"u8, "a=\"1\""u8, "le=\"0.5\""u8, 42);
        writer.Sample("h"u8, "_bucket"u8, default, "le=\"+Inf\""u8, 43);
        writer.Sample("h"u8, "_sum"u8, "a=\"1\""u8, 0.000125);
        writer.Sample("big"u8, default, long.MaxValue);
        writer.Sample("neg"u8, default, -3);

        Assert.Equal(
            "up 1\nh_bucket{a=\"1\",le=\"0.5\"} 42\nh_bucket{le=\"+Inf\"} 43\nh_sum{a=\"1\"} 0.000125\nbig 9223372036854775807\nneg -3\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Infinity_is_written_as_plus_Inf()
    {
        var output = new ArrayBufferWriter<byte>();
        new ExpositionWriter(output).Sample("g"u8, default, default, double.PositiveInfinity);
        Assert.Equal("g +Inf\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
