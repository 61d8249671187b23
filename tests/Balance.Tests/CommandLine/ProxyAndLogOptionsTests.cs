using Balance.CommandLine;

namespace Balance.Tests.CommandLine;

/// <summary>The PROXY protocol and connection log options: defaults, values, and the usage errors.</summary>
public sealed class ProxyAndLogOptionsTests : IClassFixture<TestServicesFile>
{
    private readonly string _services;

    public ProxyAndLogOptionsTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    private Options Parse(params string[] args) => CommandLineParser.Parse(args, _services);

    private BalanceException Fails(params string[] args) => Assert.Throws<BalanceException>(() => Parse(args));

    [Fact]
    public void Everything_is_off_by_default()
    {
        Options options = Parse("8888", "h");
        Assert.Equal(0, options.SendProxy);
        Assert.False(options.AcceptProxy);
        Assert.Null(options.AcceptProxyFrom);
        Assert.False(options.LogConnections);
        Assert.Null(options.LogFormat);
    }

    [Fact]
    public void Values_are_taken()
    {
        Assert.Equal(1, Parse("--send-proxy", "8888", "h").SendProxy);
        Assert.Equal(2, Parse("--send-proxy-v2", "8888", "h").SendProxy);
        Options options = Parse("--accept-proxy", "--accept-proxy-from", "198.51.100.0/24,2001:db8::/32", "--log-connections", "--log-format=json", "8888", "h");
        Assert.True(options.AcceptProxy);
        Assert.True(options.AcceptProxyFrom!.Contains(System.Net.IPAddress.Parse("198.51.100.7")));
        Assert.True(options.AcceptProxyFrom.Contains(System.Net.IPAddress.Parse("2001:db8::5")));
        Assert.False(options.AcceptProxyFrom.Contains(System.Net.IPAddress.Parse("127.0.0.1")));
        Assert.Equal("json", options.LogFormat);
    }

    [Theory]
    [InlineData("198.51.100.0/33")]
    [InlineData("198.51.100.0/")]
    [InlineData("host.example")]
    [InlineData("")]
    [InlineData("198.51.100.1,,")]
    [InlineData("fe80::1%eth0")]
    public void A_bad_source_range_is_a_usage_error(string value)
    {
        var e = Fails("--accept-proxy", "--accept-proxy-from", value, "8888", "h");
        Assert.Equal($"balance: invalid --accept-proxy-from [{value}], CIDR[,CIDR...] expected", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Fact]
    public void Dependent_options_need_their_main_option()
    {
        Assert.Equal("balance: --accept-proxy-from needs --accept-proxy", Fails("--accept-proxy-from", "198.51.100.1", "8888", "h").Message);
        Assert.Equal("balance: --log-format needs --log-connections", Fails("--log-format", "json", "8888", "h").Message);
        Assert.Equal("balance: invalid log format [xml], text or json expected", Fails("--log-connections", "--log-format", "xml", "8888", "h").Message);
        Assert.Equal("balance: option --send-proxy takes no value", Fails("--send-proxy=1", "8888", "h").Message);
    }
}
