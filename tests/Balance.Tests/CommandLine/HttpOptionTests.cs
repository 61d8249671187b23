using System.Net;
using Balance.CommandLine;

namespace Balance.Tests.CommandLine;

/// <summary>--http ADDR:PORT: off by default, literals only, IPv6 in brackets, anything else a usage error.</summary>
public sealed class HttpOptionTests
{
    [Fact]
    public void Off_by_default() => Assert.Null(CommandLineParser.Parse(["8080", "host1"]).HttpEndPoint);

    [Theory]
    [InlineData("127.0.0.1:9100", "127.0.0.1", 9100)]
    [InlineData("0.0.0.0:1", "0.0.0.0", 1)]
    [InlineData("[::1]:9100", "::1", 9100)]
    [InlineData("[::]:65535", "::", 65535)]
    [InlineData("[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 80)]
    public void Address_and_port(string value, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), CommandLineParser.Parse(["--http", value, "8080", "host1"]).HttpEndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), CommandLineParser.Parse([$"--http={value}", "8080", "host1"]).HttpEndPoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9100")]
    [InlineData(":9100")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("127.0.0.1:http")]
    [InlineData("127.1:9100")]
    [InlineData("localhost:9100")]
    [InlineData("::1:9100")]
    [InlineData("[127.0.0.1]:9100")]
    [InlineData("[::1:9100")]
    [InlineData("[::1]9100")]
    [InlineData("999.0.0.1:9100")]
    public void Anything_else_is_a_one_line_usage_error(string value)
    {
        var error = Assert.Throws<BalanceException>(() => CommandLineParser.Parse(["--http", value, "8080", "host1"]));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.False(error.ShowUsage);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("--http", error.Message);
    }

    [Fact]
    public void A_missing_value_is_a_usage_error()
    {
        var error = Assert.Throws<BalanceException>(() => CommandLineParser.Parse(["8080", "host1", "--http"]));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }
}
