using System.Text;
using Balance.Proxy;

namespace Balance.Tests.Proxy;

public sealed class PacketDumpTests
{
    private static string Dump(bool clientToChannel, string ascii) =>
        PacketDump.Format(clientToChannel, Encoding.Latin1.GetBytes(ascii));

    private static string Dump(params byte[] bytes) => PacketDump.Format(true, bytes);

    [Fact]
    public void Client_to_channel_header()
    {
        Assert.Equal("-> 5\nhello\n", Dump(true, "hello"));
    }

    [Fact]
    public void Channel_to_client_header()
    {
        Assert.Equal("-< 2\nok\n", Dump(false, "ok"));
    }

    [Fact]
    public void An_empty_chunk_is_a_header_and_an_empty_line()
    {
        Assert.Equal("-> 0\n\n", Dump());
        Assert.Equal("-< 0\n\n", PacketDump.Format(false, []));
    }

    [Fact]
    public void The_header_counts_bytes_not_output_characters()
    {
        Assert.StartsWith("-> 3\n", Dump(0x00, 0x5C, 0xFF));
    }

    [Fact]
    public void Printable_ASCII_is_shown_as_is()
    {
        string printable = new(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => c != '\\').ToArray());
        Assert.Equal(94, printable.Length);

        // 94 characters: the line breaks after the 81st
        Assert.Equal($"-> 94\n{printable[..81]}\n{printable[81..]}\n", Dump(true, printable));
    }

    [Fact]
    public void A_space_is_printable()
    {
        Assert.Equal("-> 3\na b\n", Dump(true, "a b"));
    }

    [Fact]
    public void A_backslash_is_doubled()
    {
        Assert.Equal("-> 3\na\\\\b\n", Dump(true, "a\\b"));
        Assert.Equal("-> 1\n\\\\\n", Dump(0x5C));
    }

    [Theory]
    [InlineData(0x00, "\\00")]
    [InlineData(0x01, "\\01")]
    [InlineData(0x09, "\\09")]
    [InlineData(0x0D, "\\0D")]
    [InlineData(0x1B, "\\1B")]
    [InlineData(0x1F, "\\1F")]
    [InlineData(0x7F, "\\7F")]
    [InlineData(0x80, "\\80")]
    [InlineData(0xA0, "\\A0")]
    [InlineData(0xAB, "\\AB")]
    [InlineData(0xE9, "\\E9")]
    [InlineData(0xFF, "\\FF")]
    public void Other_bytes_are_two_upper_case_hex_digits(byte value, string shown)
    {
        Assert.Equal($"-> 1\n{shown}\n", Dump(value));
    }

    [Fact]
    public void Every_byte_value_has_its_representation()
    {
        for (int b = 0; b < 256; b++)
        {
            string body = Dump((byte)b)["-> 1\n".Length..^1];
            string expected = b switch
            {
                '\\' => "\\\\",
                0x0A => "\\0A\n",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\{b:X2}",
            };
            Assert.Equal(expected, body);
        }
    }

    [Fact]
    public void A_newline_byte_is_shown_then_breaks_the_line()
    {
        Assert.Equal("-> 16\nGET / HTTP\\0D\\0A\nHost\n", Dump(true, "GET / HTTP\r\nHost"));
        Assert.Equal("-> 2\n\\0A\n\\0A\n\n", Dump(0x0A, 0x0A));
    }

    [Fact]
    public void A_chunk_ending_in_a_newline_ends_with_an_empty_line()
    {
        Assert.Equal("-> 3\nok\\0A\n\n", Dump(true, "ok\n"));
    }

    [Fact]
    public void Eighty_characters_stay_on_one_line()
    {
        string eighty = new('a', 80);
        Assert.Equal($"-> 80\n{eighty}\n", Dump(true, eighty));
    }

    [Fact]
    public void The_line_breaks_once_more_than_80_characters_are_out()
    {
        string text = new('a', 81);
        Assert.Equal($"-> 81\n{text}\n\n", Dump(true, text));

        text = new('b', 82);
        Assert.Equal($"-> 82\n{text[..81]}\nb\n", Dump(true, text));

        text = new('c', 81 * 2 + 5);
        Assert.Equal($"-> 167\n{text[..81]}\n{text[..81]}\nccccc\n", Dump(true, text));
    }

    [Fact]
    public void The_width_counts_escapes_at_their_printed_width()
    {
        // 26 escapes = 78 columns; the 27th brings it to 81 and the line breaks after it
        byte[] ones = Enumerable.Repeat((byte)0x01, 28).ToArray();
        string expected = "-> 28\n" + string.Concat(Enumerable.Repeat("\\01", 27)) + "\n\\01\n";
        Assert.Equal(expected, Dump(ones));
    }

    [Fact]
    public void The_break_comes_after_the_whole_token_that_passes_80()
    {
        // 79 letters, then an escape: 82 columns, break after the escape, never inside it
        string expected = "-> 81\n" + new string('a', 79) + "\\00\nz\n";
        Assert.Equal(expected, PacketDump.Format(true, [.. Enumerable.Repeat((byte)'a', 79), 0x00, (byte)'z']));

        // 79 letters, then a backslash: 81 columns
        expected = "-> 81\n" + new string('a', 79) + "\\\\\nz\n";
        Assert.Equal(expected, PacketDump.Format(true, [.. Enumerable.Repeat((byte)'a', 79), (byte)'\\', (byte)'z']));

        // 78 letters, then a backslash: exactly 80 columns, no break yet; the next letter makes 81
        expected = "-> 80\n" + new string('a', 78) + "\\\\z\n\n";
        Assert.Equal(expected, PacketDump.Format(true, [.. Enumerable.Repeat((byte)'a', 78), (byte)'\\', (byte)'z']));
    }

    [Fact]
    public void A_newline_byte_past_80_columns_breaks_only_once()
    {
        // 26 escapes (78 columns), then 0x0A: 81 columns but the newline break already reset the line
        byte[] bytes = [.. Enumerable.Repeat((byte)0x02, 26), 0x0A, (byte)'x'];
        string expected = "-> 28\n" + string.Concat(Enumerable.Repeat("\\02", 26)) + "\\0A\nx\n";
        Assert.Equal(expected, Dump(bytes));
    }

    [Fact]
    public void A_newline_byte_resets_the_column()
    {
        // 50 letters, newline, then 81 letters: the break is 81 letters after the newline
        byte[] bytes = [.. Enumerable.Repeat((byte)'a', 50), 0x0A, .. Enumerable.Repeat((byte)'b', 82)];
        string expected = "-> 133\n" + new string('a', 50) + "\\0A\n" + new string('b', 81) + "\nb\n";
        Assert.Equal(expected, Dump(bytes));
    }

    [Fact]
    public void No_output_line_is_wider_than_83_characters()
    {
        var random = new Random(7);
        for (int round = 0; round < 200; round++)
        {
            byte[] chunk = new byte[random.Next(0, 2000)];
            random.NextBytes(chunk);
            string[] lines = Dump(chunk).Split('\n');
            Assert.Equal(string.Empty, lines[^1]);
            // at most 80 columns, then one more token of up to 3 characters
            Assert.All(lines, l => Assert.True(l.Length <= 83, $"line of {l.Length}: {l}"));
            Assert.All(lines[1..^1], l => Assert.All(l, c => Assert.InRange(c, ' ', '~')));
        }
    }

    [Fact]
    public void The_dump_can_be_read_back()
    {
        var random = new Random(11);
        for (int round = 0; round < 200; round++)
        {
            byte[] chunk = new byte[random.Next(0, 600)];
            random.NextBytes(chunk);
            string text = PacketDump.Format(round % 2 == 0, chunk);
            string header = round % 2 == 0 ? "-> " : "-< ";
            int firstBreak = text.IndexOf('\n');
            Assert.Equal(header + chunk.Length, text[..firstBreak]);
            Assert.Equal(chunk, Decode(text[(firstBreak + 1)..]));
        }
    }

    [Fact]
    public void Write_prints_whole_chunks_on_stdout()
    {
        static byte[] Chunk(int i) => Encoding.ASCII.GetBytes(new string((char)('a' + (i % 26)), 100 + i));

        TextWriter original = Console.Out;
        var captured = new StringWriter();
        try
        {
            Console.SetOut(TextWriter.Synchronized(captured));
            Parallel.For(0, 64, i => PacketDump.Write(i % 2 == 0, Chunk(i)));
        }
        finally
        {
            Console.SetOut(original);
        }

        // every chunk appears whole (never interleaved with another), and nothing else
        string output = captured.ToString();
        string[] chunks = Enumerable.Range(0, 64).Select(i => PacketDump.Format(i % 2 == 0, Chunk(i))).ToArray();
        Assert.All(chunks, chunk => Assert.Contains(chunk, output));
        Assert.Equal(chunks.Sum(c => c.Length), output.Length);
    }

    private static byte[] Decode(string body)
    {
        var bytes = new List<byte>();
        string joined = body.Replace("\n", string.Empty, StringComparison.Ordinal);
        for (int i = 0; i < joined.Length; i++)
        {
            if (joined[i] != '\\')
            {
                bytes.Add((byte)joined[i]);
            }
            else if (joined[i + 1] == '\\')
            {
                bytes.Add((byte)'\\');
                i++;
            }
            else
            {
                bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
        }

        return [.. bytes];
    }
}
