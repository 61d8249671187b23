using Balance.CommandLine;
using Balance.Health;
using Balance.Tests.CommandLine;

namespace Balance.Tests.Health;

/// <summary>--check and the options that tune it: defaults, values, and one clear line for a bad one.</summary>
public sealed class HealthOptionsTests : IClassFixture<TestServicesFile>
{
    private readonly string _services;

    public HealthOptionsTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    private HealthOptions? Health(params string[] args) => HealthOptions.From(CommandLineParser.Parse([.. args, "8888", "h"], _services));

    private BalanceException Fails(params string[] args) =>
        Assert.Throws<BalanceException>(() => CommandLineParser.Parse([.. args, "8888", "h"], _services));

    [Fact]
    public void Without_check_there_are_no_health_checks() => Assert.Null(Health());

    [Fact]
    public void Check_alone_takes_haproxys_defaults_and_the_interval_as_timeout()
    {
        HealthOptions options = Health("--check")!;
        Assert.Equal((2000L, 2000L, 2, 3), (options.IntervalMs, options.TimeoutMs, options.Rise, options.Fall));
        Assert.Null(options.Send);
        Assert.Null(options.Expect);
    }

    [Fact]
    public void The_default_timeout_is_at_most_the_connect_timeout()
    {
        Assert.Equal(1000, Health("--check", "--check-interval", "10", "-t", "1")!.TimeoutMs);
        Assert.Equal(200, Health("--check", "--check-interval", "0.2", "-t", "1")!.TimeoutMs);
    }

    [Theory]
    [InlineData("0.2", 200)]
    [InlineData("1.5", 1500)]
    [InlineData("2", 2000)]
    [InlineData(".5", 500)]
    [InlineData("0.01", 10)]
    [InlineData("86400", 86_400_000)]
    public void The_interval_takes_seconds_with_a_fraction(string text, long milliseconds)
    {
        Assert.Equal(milliseconds, Health("--check", "--check-interval", text)!.IntervalMs);
        Assert.Equal(milliseconds, Health("--check", $"--check-interval={text}")!.IntervalMs);
    }

    [Fact]
    public void Every_option_is_taken()
    {
        HealthOptions options = Health(
            "--check", "--check-interval", "0.5", "--check-timeout", "0.25", "--rise", "5", "--fall=1",
            "--check-send", @"PING\r\n", "--check-expect", "+PONG")!;
        Assert.Equal((500L, 250L, 5, 1), (options.IntervalMs, options.TimeoutMs, options.Rise, options.Fall));
        Assert.Equal("PING\r\n"u8.ToArray(), options.Send);
        Assert.Equal("+PONG"u8.ToArray(), options.Expect);
    }

    [Theory]
    [InlineData("--check-interval", "0", "balance: invalid check interval [0], seconds from 0.01 to 86400 expected")]
    [InlineData("--check-interval", "0.001", "balance: invalid check interval [0.001], seconds from 0.01 to 86400 expected")]
    [InlineData("--check-interval", "-1", "balance: invalid check interval [-1], seconds from 0.01 to 86400 expected")]
    [InlineData("--check-interval", "1e3", "balance: invalid check interval [1e3], seconds from 0.01 to 86400 expected")]
    [InlineData("--check-interval", "2s", "balance: invalid check interval [2s], seconds from 0.01 to 86400 expected")]
    [InlineData("--check-interval", "86401", "balance: invalid check interval [86401], seconds from 0.01 to 86400 expected")]
    [InlineData("--check-interval", "", "balance: invalid check interval [], seconds from 0.01 to 86400 expected")]
    [InlineData("--check-timeout", "abc", "balance: invalid check timeout [abc], seconds from 0.01 to 86400 expected")]
    [InlineData("--rise", "0", "balance: invalid rise [0], a whole number from 1 to 1000 expected")]
    [InlineData("--rise", "1.5", "balance: invalid rise [1.5], a whole number from 1 to 1000 expected")]
    [InlineData("--fall", "1001", "balance: invalid fall [1001], a whole number from 1 to 1000 expected")]
    [InlineData("--fall", "-3", "balance: invalid fall [-3], a whole number from 1 to 1000 expected")]
    [InlineData("--check-send", "", "balance: --check-send needs a string that is not empty")]
    [InlineData("--check-send", @"a\q", @"balance: invalid escape [\q] in --check-send, use \r \n \t \\ or \xHH")]
    [InlineData("--check-expect", @"\x4g", @"balance: invalid escape [\x4g] in --check-expect, use \r \n \t \\ or \xHH")]
    public void A_bad_value_is_one_line_and_exit_64(string option, string value, string message)
    {
        BalanceException e = Fails("--check", option, value);
        Assert.Equal(message, e.Message);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.False(e.ShowUsage);
    }

    [Theory]
    [InlineData("--check-interval", "1")]
    [InlineData("--check-timeout", "1")]
    [InlineData("--rise", "2")]
    [InlineData("--fall", "2")]
    [InlineData("--check-send", "x")]
    [InlineData("--check-expect", "x")]
    public void A_tuning_option_without_check_is_an_error(string option, string value)
    {
        BalanceException e = Fails(option, value);
        Assert.Equal($"balance: {option} needs --check", e.Message);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public void Check_takes_no_value()
    {
        BalanceException e = Fails("--check=yes");
        Assert.Equal("balance: option --check takes no value", e.Message);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }
}
