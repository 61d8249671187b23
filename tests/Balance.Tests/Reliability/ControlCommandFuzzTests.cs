using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Balance.Control;
using Balance.Routing;
using Balance.Tests.CommandLine;
using CsCheck;

namespace Balance.Tests.Reliability;

/// <summary>
/// Random command lines through the control shell's parser and executor, as
/// the instance runs them for a client: no exception ever escapes, and every
/// answer is one the shell defines (a rejection is "syntax error" or one of
/// the documented messages).
/// </summary>
// In-process (the parser and executor, no binary, no relay): nothing here depends on the engine.
public sealed partial class ControlCommandFuzzTests : IClassFixture<TestServicesFile>
{
    private static readonly string[] CommandNames =
    {
        "quit", "show", "help", "?", "kill", "disable", "group", "reset", "enable", "create", "assign",
        "maxc", "mrtg-bytes", "mrtg-conns", "version", "hash", "rr", "weight", "leastconn",
    };

    private static readonly Gen<char> NastyChar = Gen.OneOf(
        Gen.Char,
        Gen.Char['\0', ' '],
        Gen.OneOf('\n', '\r', '\t', '\v', '\f', '\u0085', '\u00A0', '\u2028', '\u2029', '\u007F', '\uD800', '\uDFFF',
            '\uFEFF', '\u200B', '-', '+', ':', '[', ']', '.', '%', '\\', '"', '\'', '0', '9', 'e', 'x'));

    private static readonly Gen<string> CommandWord = Gen.OneOf(
        Gen.OneOf(CommandNames).SelectMany(name => Gen.Int[1, name.Length].Select(n => name[..n])),
        Gen.OneOf(CommandNames).Select(name => name.ToUpperInvariant()),
        Gen.OneOf(CommandNames).Select(name => name + "x"),
        Gen.OneOf("", "-", "s h o w", "showshow", "json", "0", "\u0000show", "ｓｈｏｗ"),
        NastyChar.Array[1, 8].Select(cs => new string(cs)));

    private static readonly Gen<string> Number = Gen.OneOf(
        Gen.Int[-3, 70].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
            "99999999999999999999999", "+1", "-0", "00", "1e3", "0x10", "1.5", "١", "", "x", " 1"));

    private static readonly Gen<string> Host = Gen.OneOf(
        "127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "host1", "no-such-host.invalid", "999.1.1.1",
        "[", "]", "[]", "1.2.3", "", "::ffff:127.0.0.1", "fe80::1%lo");

    private static readonly Gen<string> Port = Gen.OneOf(
        Number, Gen.OneOf("http", "www", "smtp", "mail", "9pfs", "tabalias", "udponly", "hugeport", "zeroport", "nosuchservice"));

    private static readonly Gen<string> Argument = Gen.Frequency(
        (5, Number),
        (3, Host),
        (2, Port),
        (1, Gen.OneOf("json", "JSON")),
        (2, NastyChar.Array[0, 6].Select(cs => new string(cs))));

    private static readonly Gen<string> Blank = Gen.OneOf(" ", "\t", "  ", " \t ", "\r", "\n", "\u00A0", "\u2003");

    /// <summary>A command word and up to four arguments with assorted blanks; sometimes anything at all.</summary>
    private static readonly Gen<string> Line = Gen.Frequency(
        (12, Gen.Select(Blank.Array[0, 2], CommandWord, Gen.Select(Blank, Argument).Array[0, 4], Blank.Array[0, 2])
            .Select(t => string.Concat(t.Item1) + t.Item2 + string.Concat(t.Item3.Select(a => a.Item1 + a.Item2)) + string.Concat(t.Item4))),
        (2, Gen.String),
        (1, NastyChar.Array[0, 40].Select(cs => new string(cs))),
        (1, Gen.Int[4000, 9000].Select(n => "show " + new string('9', n))));

    private static readonly Regex[] Answers =
    {
        Answer(@""),
        Answer(@"syntax error\n"),
        Answer(@"value out of range\n"),
        Answer(@"channel -?\d+ (dis|en)abled\n"),
        Answer(@"channel -?\d+ already (dis|en)abled\n"),
        Answer(@"no such channel -?\d+\n"),
        Answer(@"channel -?\d+ counters reset\n"),
        Answer(@"unknown channel\n"),
        Answer(@"unknown group\n"),
        Answer(@"maxc of channel \d+ changed to \d+\n"),
        Answer(@"\d+\n\d+\nUNKNOWN\ngroup \d+ channel \d+\n"),
        Answer(@"\d+\nUNKNOWN\nUNKNOWN\ngroup \d+ channel \d+\n"),
        Answer(@"group \d+ set to (hash|round robin|least connections)\n"),
        Answer(@"weight of channel \d+ changed to \d+\n"),
        Answer(@"channel created\n"),
        Answer(@"no channel slots available\n"),
        Answer(@"invalid address\n"),
        Answer(@"channel reassigned\n"),
        Answer(@"channel must be disabled to assign new address\n"),
    };

    private readonly string _services;

    public ControlCommandFuzzTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    [Fact]
    public void RandomCommandLinesGetOnlyDefinedAnswersAndNeverThrow()
    {
        var executor = NewExecutor();
        int checkedLines = 0;
        Gen.Select(Gen.Int[0, Limits.MaxGroups - 1], Line).Sample(
            t =>
            {
                Check(executor, t.Item1, t.Item2);
                Interlocked.Increment(ref checkedLines);
            },
            iter: 100_000,
            print: t => $"group {t.Item1}: {Show(t.Item2)}");
        Assert.True(checkedLines >= 100_000, $"only {checkedLines} lines checked");
    }

    [Fact]
    public void RandomRequestsOnTheWireAreParsedOrRefusedWithoutThrowing()
    {
        var executor = NewExecutor();
        int checkedRequests = 0;
        Gen.OneOf(
                Gen.String,
                Gen.Select(Number, Blank, Line).Select(t => t.Item1 + t.Item2 + t.Item3),
                NastyChar.Array[0, 30].Select(cs => new string(cs)))
            .Sample(
                request =>
                {
                    Interlocked.Increment(ref checkedRequests);
                    if (ControlProtocol.TryParseRequest(request, out int group, out string command))
                    {
                        Assert.True(RoutingTable.IsValidGroup(group));
                        Check(executor, group, command);
                    }
                },
                iter: 100_000,
                print: Show);
        Assert.True(checkedRequests >= 100_000, $"only {checkedRequests} requests checked");
    }

    private CommandExecutor NewExecutor()
    {
        var table = new RoutingTable(new[]
        {
            Group(GroupType.RoundRobin, "127.0.0.1", 8001, "127.0.0.1", 8002),
            Group(GroupType.Hash, "::1", 8003),
        });
        return new CommandExecutor(table, Resolve, _services, pid: 4242);
    }

    private static ChannelGroup Group(GroupType type, params object[] channels)
    {
        var group = new ChannelGroup { Type = type };
        for (int i = 0; i < channels.Length; i += 2)
        {
            group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Parse((string)channels[i]), (int)channels[i + 1]), maxConnections: 0));
        }

        return group;
    }

    /// <summary>No DNS in a fuzz test: literals, and two names that always resolve.</summary>
    private static Task<IPAddress?> Resolve(string host, CancellationToken cancellation) =>
        Task.FromResult(
            host is "localhost" or "host1" ? IPAddress.Loopback
            : IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address) ? address
            : null);

    private static void Check(CommandExecutor executor, int group, string line)
    {
        ControlReply reply = executor.ExecuteAsync(group, line).GetAwaiter().GetResult();
        Assert.InRange(reply.Group, 0, Limits.MaxGroups - 1);
        string text = reply.Text;
        if (text.StartsWith(ShowFormatter.Header, StringComparison.Ordinal))
        {
            return;
        }

        if (text.StartsWith('{'))
        {
            using JsonDocument json = JsonDocument.Parse(text);
            Assert.Equal(4242, json.RootElement.GetProperty("pid").GetInt32());
            return;
        }

        if (text == ControlTexts.Help || text == ControlTexts.VersionReport())
        {
            return;
        }

        Assert.True(Answers.Any(a => a.IsMatch(text)), $"undefined answer {Show(text)} to {Show(line)}");
    }

    private static Regex Answer(string pattern) => new("^" + pattern + "$", RegexOptions.CultureInvariant);

    private static string Show(string text) =>
        "\"" + string.Concat(text.Take(200).Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString())) + (text.Length > 200 ? "...\"" : "\"");
}
