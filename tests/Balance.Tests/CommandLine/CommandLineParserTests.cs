using Balance.CommandLine;
using Balance.Routing;

namespace Balance.Tests.CommandLine;

public sealed class CommandLineParserTests : IClassFixture<TestServicesFile>
{
    private readonly string _services;

    public CommandLineParserTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    private Options Parse(params string[] args) => CommandLineParser.Parse(args, _services);

    private BalanceException Fails(params string[] args) =>
        Assert.Throws<BalanceException>(() => CommandLineParser.Parse(args, _services));

    private static ChannelSpec Ch(string host, int port, int maxc = 0) => new(host, port, maxc);

    private static void AssertGroups(Options options, params (GroupType Type, ChannelSpec[] Channels)[] expected)
    {
        Assert.Equal(expected.Length, options.Groups.Count);
        for (int g = 0; g < expected.Length; g++)
        {
            Assert.Equal(expected[g].Type, options.Groups[g].Type);
            Assert.Equal(expected[g].Channels, options.Groups[g].Channels);
        }
    }

    // ---- plain start and defaults ----

    [Fact]
    public void Defaults()
    {
        Options o = Parse("8888", "host1");
        Assert.Equal(Mode.Proxy, o.Mode);
        Assert.False(o.AutoDisable);
        Assert.False(o.Debug);
        Assert.False(o.Foreground);
        Assert.False(o.HashFailover);
        Assert.False(o.PacketDump);
        Assert.False(o.ForceIPv6);
        Assert.Null(o.BindAddress);
        Assert.Null(o.OutgoingBindAddress);
        Assert.Equal(5, o.ConnectTimeoutSeconds);
        Assert.Equal(0, o.IdleTimeoutSeconds);
        Assert.Null(o.ControlCommand);
        Assert.Equal(8888, o.ListenPort);
        AssertGroups(o, (GroupType.RoundRobin, [Ch("host1", 8888)]));
    }

    // ---- every option letter ----

    [Fact]
    public void Option_a_enables_autodisable() => Assert.True(Parse("-a", "8888", "h").AutoDisable);

    [Fact]
    public void Option_b_sets_the_listen_bind_address() => Assert.Equal("127.0.0.1", Parse("-b", "127.0.0.1", "8888", "h").BindAddress);

    [Fact]
    public void Option_B_sets_the_outgoing_bind_address() => Assert.Equal("192.0.2.10", Parse("-B192.0.2.10", "8888", "h").OutgoingBindAddress);

    [Fact]
    public void Option_d_enables_debug() => Assert.True(Parse("-d", "8888", "h").Debug);

    [Fact]
    public void Option_f_stays_in_foreground() => Assert.True(Parse("-f", "8888", "h").Foreground);

    [Fact]
    public void Option_H_enables_hash_failover() => Assert.True(Parse("-H", "8888", "h").HashFailover);

    [Fact]
    public void Option_p_enables_the_packet_dump() => Assert.True(Parse("-p", "8888", "h").PacketDump);

    [Fact]
    public void Option_6_forces_IPv6() => Assert.True(Parse("-6", "8888", "h").ForceIPv6);

    [Fact]
    public void Option_t_sets_the_connect_timeout() => Assert.Equal(3, Parse("-t", "3", "8888", "h").ConnectTimeoutSeconds);

    [Fact]
    public void Option_T_sets_the_idle_timeout() => Assert.Equal(30, Parse("-T", "30", "8888", "h").IdleTimeoutSeconds);

    [Fact]
    public void Option_M_is_accepted_and_changes_nothing_in_every_mode()
    {
        Assert.Equal(Parse("8888", "h1", "!", "h2"), Parse("-M", "8888", "h1", "!", "h2"), OptionsComparer.Instance);
        Assert.Equal(Parse("-fp", "8888", "h"), Parse("-fMp", "8888", "h"), OptionsComparer.Instance);
        Assert.Equal(Parse("-i", "8888"), Parse("-i", "-M", "8888"), OptionsComparer.Instance);
        Assert.Equal(Parse("-c", "show", "8888"), Parse("-Mc", "show", "8888"), OptionsComparer.Instance);
    }

    [Fact]
    public void Option_i_is_interactive_in_the_foreground()
    {
        Options o = Parse("-i", "8888");
        Assert.Equal(Mode.Interactive, o.Mode);
        Assert.True(o.Foreground);
        Assert.Equal(8888, o.ListenPort);
        Assert.Empty(o.Groups);
        Assert.Null(o.ControlCommand);
    }

    [Fact]
    public void Option_c_sends_one_command_in_the_foreground()
    {
        Options o = Parse("-c", "show", "8888");
        Assert.Equal(Mode.Command, o.Mode);
        Assert.Equal("show", o.ControlCommand);
        Assert.True(o.Foreground);
        Assert.Equal(8888, o.ListenPort);
        Assert.Empty(o.Groups);
    }

    [Fact]
    public void Control_modes_keep_bind_address_and_debug()
    {
        Options o = Parse("-b", "127.0.0.2", "-d", "-c", "mrtg-bytes 0 0", "http");
        Assert.Equal(Mode.Command, o.Mode);
        Assert.Equal("127.0.0.2", o.BindAddress);
        Assert.True(o.Debug);
        Assert.Equal("mrtg-bytes 0 0", o.ControlCommand);
        Assert.Equal(80, o.ListenPort);
    }

    // ---- bundling ----

    [Fact]
    public void Bundled_fp()
    {
        Options o = Parse("-fp", "imap", "mailserver");
        Assert.True(o.Foreground);
        Assert.True(o.PacketDump);
        Assert.Equal(143, o.ListenPort);
        AssertGroups(o, (GroupType.RoundRobin, [Ch("mailserver", 143)]));
    }

    [Fact]
    public void Bundled_adf()
    {
        Options o = Parse("-adf", "8888", "h");
        Assert.True(o.AutoDisable);
        Assert.True(o.Debug);
        Assert.True(o.Foreground);
        Assert.False(o.PacketDump);
    }

    [Fact]
    public void Bundled_everything()
    {
        Options o = Parse("-adfpHM6t7", "-T9", "8888", "h");
        Assert.True(o.AutoDisable && o.Debug && o.Foreground && o.PacketDump && o.HashFailover && o.ForceIPv6);
        Assert.Equal(7, o.ConnectTimeoutSeconds);
        Assert.Equal(9, o.IdleTimeoutSeconds);
    }

    [Fact]
    public void Timeout_attached_or_separate()
    {
        Assert.Equal(3, Parse("-t3", "8888", "h").ConnectTimeoutSeconds);
        Assert.Equal(3, Parse("-t", "3", "8888", "h").ConnectTimeoutSeconds);
        Assert.Equal(3, Parse("-ft3", "8888", "h").ConnectTimeoutSeconds);
        Assert.Equal(3, Parse("-ft", "3", "8888", "h").ConnectTimeoutSeconds);
        Assert.Equal(2147483647, Parse("-t", "2147483647", "8888", "h").ConnectTimeoutSeconds);
    }

    [Fact]
    public void The_last_repeated_option_wins()
    {
        Options o = Parse("-t", "3", "-t", "4", "-b", "a", "-b", "b", "8888", "h");
        Assert.Equal(4, o.ConnectTimeoutSeconds);
        Assert.Equal("b", o.BindAddress);
    }

    [Fact]
    public void Double_dash_ends_options()
    {
        Options o = Parse("-f", "--", "8888", "h");
        Assert.True(o.Foreground);
        Assert.Equal(8888, o.ListenPort);

        // after "--" an option-looking word is a positional: here an (invalid) port
        var e = Fails("--", "-f", "8888", "h");
        Assert.Equal("invalid port [-f], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Fact]
    public void Help_after_double_dash_is_a_positional()
    {
        var e = Fails("--", "--help");
        Assert.Equal("balance: no channel given", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    // ---- -t / -T values ----

    [Theory]
    [InlineData("t", "0")]
    [InlineData("t", "-1")]
    [InlineData("t", "x")]
    [InlineData("t", "")]
    [InlineData("t", "1.5")]
    [InlineData("t", " 3")]
    [InlineData("t", "3s")]
    [InlineData("t", "+3")]
    [InlineData("t", "00")]
    [InlineData("t", "99999999999")]
    [InlineData("T", "0")]
    [InlineData("T", "-1")]
    [InlineData("T", "x")]
    [InlineData("T", "")]
    [InlineData("T", "0x10")]
    public void Timeouts_are_whole_seconds_of_at_least_one(string letter, string value)
    {
        var e = Fails($"-{letter}", value, "8888", "h");
        Assert.Equal($"balance: invalid timeout [{value}] for -{letter}, whole seconds >= 1 expected", e.Message);
        Assert.Equal(64, e.ExitCode);

        if (value.Length > 0)
        {
            e = Fails($"-{letter}{value}", "8888", "h");
            Assert.Equal($"balance: invalid timeout [{value}] for -{letter}, whole seconds >= 1 expected", e.Message);
            Assert.Equal(64, e.ExitCode);
        }
    }

    [Fact]
    public void A_timeout_without_its_value_is_a_usage_error()
    {
        var e = Fails("8888", "h", "-t");
        Assert.Equal("balance: option requires an argument -- 't'", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    // ---- ports ----

    [Theory]
    [InlineData("1", 1)]
    [InlineData("8888", 8888)]
    [InlineData("65535", 65535)]
    [InlineData("smtp", 25)]
    [InlineData("imap", 143)]
    [InlineData("pop3", 110)]
    [InlineData("telnet", 23)]
    [InlineData("www", 80)]
    public void Listen_port_by_number_or_service_name(string port, int expected)
    {
        Options o = Parse(port, "host1", "host2:8000");
        Assert.Equal(expected, o.ListenPort);
        AssertGroups(o, (GroupType.RoundRobin, [Ch("host1", expected), Ch("host2", 8000)]));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("100000")]
    [InlineData("nosuchservice")]
    [InlineData("udponly")]
    [InlineData("")]
    public void Invalid_listen_port(string port)
    {
        var e = Fails(port, "host1");
        Assert.Equal($"invalid port [{port}], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.False(e.ShowUsage);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("nosuchservice")]
    public void Invalid_listen_port_in_control_modes(string port)
    {
        var e = Fails("-i", port);
        Assert.Equal($"invalid port [{port}], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);

        e = Fails("-c", "show", port);
        Assert.Equal($"invalid port [{port}], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Theory]
    [InlineData("host1:0", "0")]
    [InlineData("host1:65536", "65536")]
    [InlineData("host1:nosuchservice:3", "nosuchservice")]
    public void Invalid_channel_port(string channel, string port)
    {
        var e = Fails("8888", "ok", channel);
        Assert.Equal($"invalid port [{port}], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    // ---- channels and groups ----

    [Fact]
    public void Channel_forms()
    {
        Options o = Parse("8888", "host", "host:8000", "host::16", "host:8000:4", "[::1]:8080:4", "[::1]", "host:smtp");
        AssertGroups(o, (GroupType.RoundRobin,
        [
            Ch("host", 8888), Ch("host", 8000), Ch("host", 8888, 16), Ch("host", 8000, 4),
            Ch("::1", 8080, 4), Ch("::1", 8888), Ch("host", 25),
        ]));
    }

    [Fact]
    public void Manual_example_two_groups_with_maxc()
    {
        Options o = Parse("imap", "mailserver1::16", "!", "mailserver2");
        AssertGroups(o,
            (GroupType.RoundRobin, [Ch("mailserver1", 143, 16)]),
            (GroupType.RoundRobin, [Ch("mailserver2", 143)]));
    }

    [Fact]
    public void Manual_example_five_groups()
    {
        Options o = Parse("8888", "localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!", "localhost:25");
        AssertGroups(o,
            (GroupType.RoundRobin, [Ch("localhost", 8888, 12)]),
            (GroupType.RoundRobin, [Ch("localhost", 8888, 4)]),
            (GroupType.RoundRobin, [Ch("localhost", 8888, 2), Ch("localhost", 8888, 2)]),
            (GroupType.RoundRobin, [Ch("localhost", 25)]));
    }

    [Fact]
    public void Percent_closes_a_group_as_hash_and_bang_as_round_robin()
    {
        Options o = Parse("8888", "a", "b", "%", "c", "!", "d", "%", "e");
        AssertGroups(o,
            (GroupType.Hash, [Ch("a", 8888), Ch("b", 8888)]),
            (GroupType.RoundRobin, [Ch("c", 8888)]),
            (GroupType.Hash, [Ch("d", 8888)]),
            (GroupType.RoundRobin, [Ch("e", 8888)]));
    }

    [Fact]
    public void A_trailing_separator_only_sets_the_type_of_the_last_group()
    {
        AssertGroups(Parse("8888", "a", "b", "%"), (GroupType.Hash, [Ch("a", 8888), Ch("b", 8888)]));
        AssertGroups(Parse("8888", "a", "b", "!"), (GroupType.RoundRobin, [Ch("a", 8888), Ch("b", 8888)]));
        AssertGroups(Parse("8888", "a", "!", "b", "%"),
            (GroupType.RoundRobin, [Ch("a", 8888)]),
            (GroupType.Hash, [Ch("b", 8888)]));
    }

    [Theory]
    [InlineData("!", "a")]
    [InlineData("%", "a")]
    [InlineData("!")]
    [InlineData("%")]
    [InlineData("a", "!", "!", "b")]
    [InlineData("a", "%", "!", "b")]
    [InlineData("a", "!", "%")]
    [InlineData("a", "%", "%")]
    [InlineData("a", "!", "b", "!", "!")]
    public void An_empty_group_is_an_error_with_exit_69(params string[] channels)
    {
        var e = Fails(["8888", .. channels]);
        Assert.Equal("balance: no channels in group", e.Message);
        Assert.Equal(69, e.ExitCode);
        Assert.False(e.ShowUsage);
    }

    [Fact]
    public void Separators_are_only_whole_words()
    {
        AssertGroups(Parse("8888", "a!", "%b"), (GroupType.RoundRobin, [Ch("a!", 8888), Ch("%b", 8888)]));
    }

    [Fact]
    public void Exactly_MaxChannels_channels_fit_in_a_group()
    {
        string[] channels = Enumerable.Range(0, Limits.MaxChannels).Select(i => $"h{i}").ToArray();
        Options o = Parse(["8888", .. channels, "!", .. channels]);
        Assert.Equal(2, o.Groups.Count);
        Assert.All(o.Groups, g => Assert.Equal(Limits.MaxChannels, g.Channels.Count));
    }

    [Fact]
    public void More_than_MaxChannels_in_a_group_is_a_usage_error()
    {
        string[] channels = Enumerable.Range(0, Limits.MaxChannels + 1).Select(i => $"h{i}").ToArray();
        var e = Fails(["8888", .. channels]);
        Assert.Equal("MAXCHANNELS exceeded...", e.Message);
        Assert.Equal(64, e.ExitCode);

        e = Fails(["8888", "a", "!", .. channels, "!", "b"]);
        Assert.Equal("MAXCHANNELS exceeded...", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Fact]
    public void Exactly_MaxGroups_groups_fit()
    {
        Options o = Parse(["8888", .. GroupArgs(Limits.MaxGroups), "%"]);
        Assert.Equal(Limits.MaxGroups, o.Groups.Count);
        Assert.Equal(GroupType.Hash, o.Groups[^1].Type);
        Assert.All(o.Groups.SkipLast(1), g => Assert.Equal(GroupType.RoundRobin, g.Type));
    }

    [Fact]
    public void More_than_MaxGroups_groups_is_an_error_with_exit_69()
    {
        var e = Fails(["8888", .. GroupArgs(Limits.MaxGroups + 1)]);
        Assert.Equal("balance: too many groups", e.Message);
        Assert.Equal(69, e.ExitCode);

        e = Fails(["8888", .. GroupArgs(Limits.MaxGroups + 1), "!"]);
        Assert.Equal("balance: too many groups", e.Message);
        Assert.Equal(69, e.ExitCode);
    }

    private static IEnumerable<string> GroupArgs(int groups) =>
        Enumerable.Range(0, groups).SelectMany((g, i) => i == 0 ? new[] { $"h{g}" } : new[] { "!", $"h{g}" });

    [Fact]
    public void Channel_hosts_are_not_resolved_while_parsing()
    {
        Options o = Parse("-b", "no-such-bind.invalid", "-B", "no-such-source.invalid", "8888", "no-such-host.invalid:81", "!", "[::1]");
        Assert.Equal("no-such-bind.invalid", o.BindAddress);
        Assert.Equal("no-such-source.invalid", o.OutgoingBindAddress);
        AssertGroups(o,
            (GroupType.RoundRobin, [Ch("no-such-host.invalid", 81)]),
            (GroupType.RoundRobin, [Ch("::1", 8888)]));
    }

    [Fact]
    public void A_malformed_channel_is_an_invalid_address_with_exit_65()
    {
        var e = Fails("8888", "a", "host:1:2:3:4");
        Assert.Equal("unknown or invalid address [host:1:2:3:4]", e.Message);
        Assert.Equal(65, e.ExitCode);
    }

    [Fact]
    public void Typed_line_breaks_never_split_the_message()
    {
        Assert.Equal("invalid port [80?81], exiting.", Fails("80\n81", "h").Message);
        Assert.Equal("unknown or invalid address [a:1:2:3:4?]", Fails("8888", "a:1:2:3:4\n").Message);
        Assert.Equal("balance: invalid option -- '?'", Fails("-f\r", "8888", "h").Message);
        Assert.Equal("balance: invalid timeout [1?] for -t, whole seconds >= 1 expected", Fails("-t", "1\n", "8888", "h").Message);
    }

    // ---- missing positionals ----

    [Theory]
    [InlineData]
    [InlineData("-f")]
    [InlineData("-fp", "-t", "3")]
    [InlineData("--")]
    public void No_port_shows_the_usage_with_exit_64(params string[] args)
    {
        var e = Fails(args);
        Assert.Equal("balance: no port given", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    [Theory]
    [InlineData("8888")]
    [InlineData("-f", "8888")]
    [InlineData("-fp", "smtp")]
    public void No_channel_shows_the_usage_with_exit_64(params string[] args)
    {
        var e = Fails(args);
        Assert.Equal("balance: no channel given", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    [Theory]
    [InlineData("-i")]
    [InlineData("-i", "8888", "host")]
    [InlineData("-i", "8888", "8889")]
    [InlineData("-c", "show")]
    [InlineData("-c", "show", "8888", "host")]
    [InlineData("-c", "show", "8888", "!")]
    public void Control_modes_take_exactly_the_port(params string[] args)
    {
        var e = Fails(args);
        Assert.Equal("balance: -i and -c take exactly one argument, the port", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    [Fact]
    public void A_missing_control_command_is_a_usage_error()
    {
        var e = Fails("-c");
        Assert.Equal("balance: option requires an argument -- 'c'", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    // ---- help, version, unknown options ----

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-f", "--help")]
    [InlineData("8888", "host", "--help")]
    [InlineData("--help", "-x")]
    [InlineData("-x", "--help")]
    public void Help(params string[] args)
    {
        Assert.Equal(Mode.Help, Parse(args).Mode);
    }

    [Fact]
    public void Version()
    {
        Assert.Equal(Mode.Version, Parse("--version").Mode);
    }

    [Theory]
    [InlineData("x", "-x", "8888", "h")]
    [InlineData("z", "-fz", "8888", "h")]
    [InlineData("q", "8888", "h", "-q")]
    public void Unknown_option_is_a_usage_error(string letter, params string[] args)
    {
        var e = Fails(args);
        Assert.Equal($"balance: invalid option -- '{letter}'", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    [Theory]
    [InlineData("--foo")]
    [InlineData("--grace5")]
    [InlineData("--Help")]
    [InlineData("---")]
    public void Unknown_long_option_is_a_usage_error(string option)
    {
        var e = Fails("-f", option, "8888", "h");
        Assert.Equal($"balance: unknown option {option}", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    [Fact]
    public void Long_options_after_double_dash_are_positionals()
    {
        var e = Fails("--", "--foo", "h");
        Assert.Equal("invalid port [--foo], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    // ---- --grace ----

    [Fact]
    public void Grace_defaults_to_10_seconds()
    {
        Assert.Equal(10, Parse("8888", "h").GraceSeconds);
    }

    [Theory]
    [InlineData(new[] { "--grace", "0" }, 0)]
    [InlineData(new[] { "--grace", "30" }, 30)]
    [InlineData(new[] { "--grace=7" }, 7)]
    [InlineData(new[] { "--grace=0" }, 0)]
    [InlineData(new[] { "--grace=1", "--grace=2" }, 2)]
    public void Grace_takes_whole_seconds_from_0(string[] grace, int expected)
    {
        Assert.Equal(expected, Parse([.. grace, "-f", "8888", "h"]).GraceSeconds);
        Assert.Equal(expected, Parse(["-f", "8888", "h", .. grace]).GraceSeconds);
    }

    [Fact]
    public void Grace_mixes_with_short_options()
    {
        Options o = Parse("-fp", "--grace", "3", "-t", "2", "8888", "h1", "!", "h2");
        Assert.Equal(3, o.GraceSeconds);
        Assert.True(o.Foreground && o.PacketDump);
        Assert.Equal(2, o.ConnectTimeoutSeconds);
        AssertGroups(o, (GroupType.RoundRobin, [Ch("h1", 8888)]), (GroupType.RoundRobin, [Ch("h2", 8888)]));
    }

    [Theory]
    [InlineData("--grace", "-1", "-1")]
    [InlineData("--grace", "x", "x")]
    [InlineData("--grace", "", "")]
    [InlineData("--grace", "1.5", "1.5")]
    [InlineData("--grace", "99999999999", "99999999999")]
    [InlineData("--grace=", null, "")]
    [InlineData("--grace=-3", null, "-3")]
    [InlineData("--grace= 3", null, " 3")]
    public void Invalid_grace_is_a_usage_error(string option, string? value, string shown)
    {
        string[] args = value is null ? [option, "8888", "h"] : [option, value, "8888", "h"];
        var e = Fails(args);
        Assert.Equal($"balance: invalid grace period [{shown}], whole seconds >= 0 expected", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Fact]
    public void Grace_without_a_value_is_a_usage_error()
    {
        var e = Fails("8888", "h", "--grace");
        Assert.Equal("balance: invalid grace period [], whole seconds >= 0 expected", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    // ---- --fin-timeout ----

    [Fact]
    public void Fin_timeout_defaults_to_60_seconds()
    {
        Assert.Equal(60, Parse("8888", "h").FinTimeoutSeconds);
    }

    [Theory]
    [InlineData(new[] { "--fin-timeout", "0" }, 0)]
    [InlineData(new[] { "--fin-timeout", "5" }, 5)]
    [InlineData(new[] { "--fin-timeout=120" }, 120)]
    public void Fin_timeout_takes_whole_seconds_from_0(string[] fin, int expected)
    {
        Assert.Equal(expected, Parse([.. fin, "-f", "8888", "h"]).FinTimeoutSeconds);
        Assert.Equal(expected, Parse(["-f", "8888", "h", .. fin]).FinTimeoutSeconds);
    }

    [Theory]
    [InlineData("--fin-timeout", "-1", "-1")]
    [InlineData("--fin-timeout", "1.5", "1.5")]
    [InlineData("--fin-timeout=", null, "")]
    public void Invalid_fin_timeout_is_a_usage_error(string option, string? value, string shown)
    {
        string[] args = value is null ? [option, "8888", "h"] : [option, value, "8888", "h"];
        var e = Fails(args);
        Assert.Equal($"balance: invalid fin timeout [{shown}], whole seconds >= 0 expected", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    /// <summary>Options is a record with a list inside: compare the lists by content.</summary>
    private sealed class OptionsComparer : IEqualityComparer<Options>
    {
        public static readonly OptionsComparer Instance = new();
        private static readonly GroupSpec[] NoGroups = [];

        public bool Equals(Options? x, Options? y)
        {
            if (x is null || y is null)
            {
                return x is null && y is null;
            }

            return x with { Groups = NoGroups } == y with { Groups = NoGroups }
                && x.Groups.Count == y.Groups.Count
                && x.Groups.Zip(y.Groups).All(p => p.First.Type == p.Second.Type && p.First.Channels.SequenceEqual(p.Second.Channels));
        }

        public int GetHashCode(Options obj) => obj.Mode.GetHashCode();
    }
}
