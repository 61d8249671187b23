using Balance.CommandLine;

namespace Balance.Tests.CommandLine;

public sealed class ChannelSpecParserTests : IClassFixture<TestServicesFile>
{
    private const int ListenPort = 8888;
    private readonly string _services;

    public ChannelSpecParserTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    private ChannelSpec Parse(string text) => ChannelSpecParser.Parse(text, ListenPort, _services);

    [Theory]
    [InlineData("host1", "host1", ListenPort, 0)]
    [InlineData("192.0.2.1", "192.0.2.1", ListenPort, 0)]
    [InlineData("host1:8000", "host1", 8000, 0)]
    [InlineData("192.0.2.1:8000", "192.0.2.1", 8000, 0)]
    [InlineData("host1:http", "host1", 80, 0)]
    [InlineData("host1:www", "host1", 80, 0)]
    [InlineData("host1::16", "host1", ListenPort, 16)]
    [InlineData("host1:8000:4", "host1", 8000, 4)]
    [InlineData("host1:smtp:4", "host1", 25, 4)]
    [InlineData("host1:8000:0", "host1", 8000, 0)]
    [InlineData("host1:8000:", "host1", 8000, 0)]
    [InlineData("host1:", "host1", ListenPort, 0)]
    [InlineData("host1::", "host1", ListenPort, 0)]
    [InlineData("mailserver1::16", "mailserver1", ListenPort, 16)]
    [InlineData("target.munich.net::1", "target.munich.net", ListenPort, 1)]
    [InlineData("fe80::1", "fe80", ListenPort, 1)] // unbracketed: host::maxc, IPv6 literals need brackets
    public void Host_port_and_maxc(string text, string host, int port, int maxc)
    {
        Assert.Equal(new ChannelSpec(host, port, maxc), Parse(text));
    }

    [Theory]
    [InlineData("[::1]:8080:4", "::1", 8080, 4)]
    [InlineData("[::1]", "::1", ListenPort, 0)]
    [InlineData("[::1]:", "::1", ListenPort, 0)]
    [InlineData("[::1]:8080", "::1", 8080, 0)]
    [InlineData("[::1]::7", "::1", ListenPort, 7)]
    [InlineData("[fe80::1%eth0]:80", "fe80::1%eth0", 80, 0)]
    [InlineData("[2001:db8::2]:http:3", "2001:db8::2", 80, 3)]
    [InlineData("[192.0.2.10]:81", "192.0.2.10", 81, 0)]
    public void Bracketed_IPv6_literals(string text, string host, int port, int maxc)
    {
        Assert.Equal(new ChannelSpec(host, port, maxc), Parse(text));
    }

    [Fact]
    public void An_empty_port_is_the_listen_port_whatever_it_is()
    {
        Assert.Equal(new ChannelSpec("h", 25, 2), ChannelSpecParser.Parse("h::2", 25, _services));
        Assert.Equal(new ChannelSpec("h", 65535, 0), ChannelSpecParser.Parse("h", 65535, _services));
    }

    [Theory]
    [InlineData("host1:0", "0")]
    [InlineData("host1:65536", "65536")]
    [InlineData("host1:65536:4", "65536")]
    [InlineData("host1:nosuchservice", "nosuchservice")]
    [InlineData("host1:udponly", "udponly")]
    [InlineData("[::1]:0", "0")]
    [InlineData("[::1]:99999:1", "99999")]
    [InlineData("host1: 80", " 80")]
    public void Channel_ports_follow_the_listen_port_rules(string text, string port)
    {
        var e = Assert.Throws<BalanceException>(() => Parse(text));
        Assert.Equal($"invalid port [{port}], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Theory]
    [InlineData("host1:80:x", "x")]
    [InlineData("host1::-1", "-1")]
    [InlineData("host1::+1", "+1")]
    [InlineData("host1::1.5", "1.5")]
    [InlineData("host1::99999999999", "99999999999")]
    [InlineData("[::1]::many", "many")]
    public void Invalid_maxc_is_a_usage_error(string text, string maxc)
    {
        var e = Assert.Throws<BalanceException>(() => Parse(text));
        Assert.Equal($"invalid maxc [{maxc}], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData(":80")]
    [InlineData("::16")]
    [InlineData("::1")]
    [InlineData("fe80::1:2")]
    [InlineData("host1:80:4:5:6")]
    [InlineData("[]")]
    [InlineData("[]:80")]
    [InlineData("[::1")]
    [InlineData("[::1]80")]
    [InlineData("[::1]x:80")]
    [InlineData("[::1]:80:4:5:6")]
    public void Malformed_channels_are_invalid_addresses_with_exit_65(string text)
    {
        var e = Assert.Throws<BalanceException>(() => Parse(text));
        Assert.Equal($"unknown or invalid address [{text}]", e.Message);
        Assert.Equal(65, e.ExitCode);
    }

    [Theory]
    [InlineData("no-such-host.invalid")]
    [InlineData("definitely.not.resolvable.example")]
    [InlineData("999.999.999.999")]
    public void Host_names_are_kept_as_written_and_never_resolved_here(string host)
    {
        Assert.Equal(new ChannelSpec(host, 81, 2), Parse($"{host}:81:2"));
    }
}
