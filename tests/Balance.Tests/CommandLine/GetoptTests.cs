using Balance.CommandLine;

namespace Balance.Tests.CommandLine;

public sealed class GetoptTests
{
    private const string Spec = CommandLineParser.OptionLetters;

    private static (List<Getopt.Option> Options, List<string> Positionals) Scan(params string[] args) =>
        Getopt.Scan(args, Spec);

    private static Getopt.Option Opt(char letter, string? argument = null) => new(letter, argument);

    [Fact]
    public void No_arguments_give_nothing()
    {
        var (options, positionals) = Scan();
        Assert.Empty(options);
        Assert.Empty(positionals);
    }

    [Fact]
    public void Single_flags()
    {
        var (options, positionals) = Scan("-f", "-p", "8888", "host");
        Assert.Equal([Opt('f'), Opt('p')], options);
        Assert.Equal(["8888", "host"], positionals);
    }

    [Fact]
    public void Bundled_flags_keep_their_order()
    {
        Assert.Equal([Opt('f'), Opt('p')], Scan("-fp").Options);
        Assert.Equal([Opt('a'), Opt('d'), Opt('f')], Scan("-adf").Options);
        Assert.Equal([Opt('a'), Opt('d'), Opt('f'), Opt('p'), Opt('H'), Opt('M'), Opt('6')], Scan("-adfpHM6").Options);
    }

    [Fact]
    public void Attached_and_separate_arguments()
    {
        Assert.Equal([Opt('t', "3")], Scan("-t3").Options);
        Assert.Equal([Opt('t', "3")], Scan("-t", "3").Options);
        Assert.Equal([Opt('T', "10")], Scan("-T10").Options);
        Assert.Equal([Opt('b', "127.0.0.1")], Scan("-b", "127.0.0.1").Options);
        Assert.Equal([Opt('B', "::1")], Scan("-B::1").Options);
        Assert.Equal([Opt('c', "show")], Scan("-c", "show").Options);
    }

    [Fact]
    public void An_argument_option_ends_a_bundle_and_takes_the_rest()
    {
        Assert.Equal([Opt('f'), Opt('t', "3")], Scan("-ft3").Options);
        Assert.Equal([Opt('f'), Opt('t', "3")], Scan("-ft", "3").Options);
        Assert.Equal([Opt('t', "fp")], Scan("-tfp").Options);
        Assert.Equal([Opt('c', "show"), Opt('i')], Scan("-cshow", "-i").Options);
    }

    [Fact]
    public void A_separate_argument_is_taken_even_when_it_looks_like_an_option()
    {
        var (options, positionals) = Scan("-t", "-1", "8888");
        Assert.Equal([Opt('t', "-1")], options);
        Assert.Equal(["8888"], positionals);
        Assert.Equal([Opt('b', "--")], Scan("-b", "--").Options);
        Assert.Equal([Opt('t', "")], Scan("-t", "").Options);
    }

    [Fact]
    public void Double_dash_ends_options()
    {
        var (options, positionals) = Scan("-f", "--", "-p", "8888", "--");
        Assert.Equal([Opt('f')], options);
        Assert.Equal(["-p", "8888", "--"], positionals);
    }

    [Fact]
    public void Options_may_follow_positionals_as_with_glibc()
    {
        var (options, positionals) = Scan("8888", "-f", "host", "-t", "2", "host2");
        Assert.Equal([Opt('f'), Opt('t', "2")], options);
        Assert.Equal(["8888", "host", "host2"], positionals);
    }

    [Fact]
    public void A_lone_dash_and_separators_are_positionals()
    {
        var (options, positionals) = Scan("-", "!", "%", "");
        Assert.Empty(options);
        Assert.Equal(["-", "!", "%", ""], positionals);
    }

    [Theory]
    [InlineData("-x", 'x')]
    [InlineData("-fx", 'x')]
    [InlineData("-h", 'h')]
    [InlineData("-:", ':')]
    [InlineData("-f:", ':')]
    [InlineData("--foo", '-')]
    [InlineData("-1", '1')]
    [InlineData("-é", 'é')]
    public void Unknown_letters_are_usage_errors(string arg, char letter)
    {
        var e = Assert.Throws<BalanceException>(() => Scan(arg, "8888"));
        Assert.Equal($"balance: invalid option -- '{letter}'", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
    }

    [Theory]
    [InlineData('b')]
    [InlineData('B')]
    [InlineData('c')]
    [InlineData('t')]
    [InlineData('T')]
    public void A_missing_argument_is_a_usage_error(char letter)
    {
        var e = Assert.Throws<BalanceException>(() => Scan("-f", $"-{letter}"));
        Assert.Equal($"balance: option requires an argument -- '{letter}'", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);

        e = Assert.Throws<BalanceException>(() => Scan($"-f{letter}"));
        Assert.Equal($"balance: option requires an argument -- '{letter}'", e.Message);
    }

    [Fact]
    public void A_custom_spec_is_honoured()
    {
        var (options, positionals) = Getopt.Scan(["-xy", "v", "w"], "xy:");
        Assert.Equal([Opt('x'), Opt('y', "v")], options);
        Assert.Equal(["w"], positionals);
    }
}
