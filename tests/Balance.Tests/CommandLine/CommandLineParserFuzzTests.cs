using Balance.CommandLine;
using Balance.Routing;
using CsCheck;

namespace Balance.Tests.CommandLine;

/// <summary>
/// Random argv arrays into the parser: whatever comes in, the only failure is a
/// <see cref="BalanceException"/> with a one-line message and a usage, data or
/// unavailable exit code; whatever is accepted is within the limits.
/// </summary>
public sealed class CommandLineParserFuzzTests : IClassFixture<TestServicesFile>
{
    private const string Letters = "abBcdfHiMptT6";

    private static readonly Gen<string> OptionWord = Gen.OneOf(
        Gen.OneOf("-a", "-b", "-B", "-c", "-d", "-f", "-H", "-i", "-M", "-p", "-t", "-T", "-6",
            "-fp", "-adf", "-t3", "-T10", "-t0", "-t-1", "-tx", "-ft", "--", "-", "--help", "-h", "--version",
            "-x", "--foo", "-:", "-f:", "-cshow", "-b127.0.0.1", "-B::1",
            "--grace", "--grace=0", "--grace=5", "--grace=", "--grace=x", "--grace=-1", "---", "--grace5"),
        Gen.Char[Letters].Array[1, 5].Select(cs => "-" + new string(cs)),
        Gen.Select(Gen.Char[Letters], Gen.Int[-3, 100_000]).Select(t => $"-{t.Item1}{t.Item2}"));

    private static readonly Gen<string> Port = Gen.OneOf(
        Gen.Int[-2, 70_000].Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("0", "1", "65535", "65536", "99999999999", "007", "http", "www", "smtp", "mail", "imap",
            "pop3", "9pfs", "tabalias", "udponly", "hugeport", "zeroport", "nosuchservice", "", " 80", "80x", "#"));

    private static readonly Gen<string> Host = Gen.OneOf(
        "host1", "localhost", "127.0.0.1", "192.0.2.1", "::1", "[::1]", "[fe80::1%eth0]", "[", "]", "[]", "[::1",
        "mail.example.org", "no-such-host.invalid", "h", "", "ä.example", "999.1.1.1");

    private static readonly Gen<string> MaxConnections = Gen.OneOf(
        Gen.Int[-2, 300].Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("", "x", "99999999999", "1.5", "+1"));

    private static readonly Gen<string> ChannelWord = Gen.OneOf(
        Host,
        Gen.Select(Host, Port).Select(t => $"{t.Item1}:{t.Item2}"),
        Gen.Select(Host, Port, MaxConnections).Select(t => $"{t.Item1}:{t.Item2}:{t.Item3}"),
        Gen.Select(Host, MaxConnections).Select(t => $"{t.Item1}::{t.Item2}"),
        Gen.Select(Host, Port, MaxConnections, Port).Select(t => $"{t.Item1}:{t.Item2}:{t.Item3}:{t.Item4}"));

    private static readonly Gen<char> NastyChar = Gen.OneOf(
        Gen.Char,
        Gen.Char['\0', ' '],
        Gen.OneOf('\n', '\r', '\t', '\v', '\f', '\u0085', '\u2028', '\u2029', '\u007F', '\uD800', '\uDFFF',
            '\uFEFF', '\u200B', '-', ':', '[', ']', '!', '%', '\\', '"', '\'', '0', '9'));

    private static readonly Gen<string> Garbage = Gen.OneOf(
        Gen.String,
        NastyChar.Array[0, 12].Select(cs => new string(cs)),
        Gen.Select(Gen.OneOf("-", "--", "-t", "-c", "h:", "[", "8888:", ":"), NastyChar.Array[1, 6])
            .Select(t => t.Item1 + new string(t.Item2)));

    private static readonly Gen<string> Word = Gen.Frequency(
        (4, OptionWord),
        (3, Gen.OneOf("!", "%")),
        (4, Port),
        (6, ChannelWord),
        (3, Garbage));

    /// <summary>Mostly a port then words, sometimes anything at all, now and then at the limits.</summary>
    private static readonly Gen<string[]> Argv = Gen.Frequency(
        (30, Word.Array[0, 14]),
        (40, Gen.Select(OptionWord.Array[0, 3], Port, Word.Array[0, 12])
            .Select(t => (string[])[.. t.Item1, t.Item2, .. t.Item3])),
        (2, Gen.Select(OptionWord.Array[0, 2], Port, Gen.Int[Limits.MaxChannels - 2, Limits.MaxChannels + 2], Word.Array[0, 3])
            .Select(t => (string[])[.. t.Item1, t.Item2, .. Numbered(t.Item3, null), .. t.Item4])),
        (2, Gen.Select(Port, Gen.Int[Limits.MaxGroups - 2, Limits.MaxGroups + 2], Gen.OneOf("!", "%"), Word.Array[0, 3])
            .Select(t => (string[])[t.Item1, .. Numbered(t.Item2, t.Item3), .. t.Item4])));

    private readonly string _services;

    public CommandLineParserFuzzTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    [Fact]
    public void Random_argv_fails_only_with_one_line_messages_and_sysexits_codes()
    {
        Argv.Sample(Check, iter: 100_000, print: Show);
    }

    [Fact]
    public void Random_words_after_a_valid_start_fail_only_with_one_line_messages()
    {
        Gen.Select(Gen.OneOf("-f", "-adf", "-fpH"), Garbage.Array[1, 4])
            .Select(t => (string[])[t.Item1, "8888", "host1", .. t.Item2])
            .Sample(Check, iter: 20_000, print: Show);
    }

    private void Check(string[] args)
    {
        Options options;
        try
        {
            options = CommandLineParser.Parse(args, _services);
        }
        catch (BalanceException e)
        {
            Assert.False(e.Message.Length == 0, "empty message");
            foreach (char c in e.Message)
            {
                Assert.False(char.IsControl(c) || c is '\u2028' or '\u2029', $"message is not one line: {Show(e.Message)}");
            }

            Assert.Contains(e.ExitCode, new[] { ExitCodes.Usage, ExitCodes.DataError, ExitCodes.Unavailable });
            return;
        }

        if (options.Mode is Mode.Help or Mode.Version)
        {
            return;
        }

        Assert.InRange(options.ListenPort, 1, 65535);
        Assert.True(options.ConnectTimeoutSeconds >= 1);
        Assert.True(options.IdleTimeoutSeconds >= 0);
        Assert.True(options.GraceSeconds >= 0);
        if (options.Mode is Mode.Interactive or Mode.Command)
        {
            Assert.True(options.Foreground);
            Assert.Empty(options.Groups);
            if (options.Mode == Mode.Command)
            {
                Assert.NotNull(options.ControlCommand);
            }
            return;
        }

        Assert.Equal(Mode.Proxy, options.Mode);
        Assert.InRange(options.Groups.Count, 1, Limits.MaxGroups);
        foreach (GroupSpec group in options.Groups)
        {
            Assert.InRange(group.Channels.Count, 1, Limits.MaxChannels);
            foreach (ChannelSpec channel in group.Channels)
            {
                Assert.NotEqual(0, channel.Host.Length);
                Assert.InRange(channel.Port, 1, 65535);
                Assert.True(channel.MaxConnections >= 0);
            }
        }
    }

    /// <summary>Channels h0, h1, ... each followed by <paramref name="separator"/> when given.</summary>
    private static IEnumerable<string> Numbered(int count, string? separator) =>
        Enumerable.Range(0, count).SelectMany(i => separator is null ? [$"h{i}"] : new[] { $"h{i}", separator });

    private static string Show(string[] args) => "[" + string.Join(", ", args.Select(Show)) + "]";

    private static string Show(string text) =>
        "\"" + string.Concat(text.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString())) + "\"";
}
