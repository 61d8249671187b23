using Balance.CommandLine;

namespace Balance.Tests.CommandLine;

public sealed class PortParserTests : IClassFixture<TestServicesFile>
{
    private readonly string _services;

    public PortParserTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("80", 80)]
    [InlineData("8888", 8888)]
    [InlineData("65535", 65535)]
    [InlineData("08080", 8080)]
    public void Numbers_from_1_to_65535_are_ports(string text, int expected)
    {
        Assert.Equal(expected, PortParser.Parse(text, _services));
    }

    [Theory]
    [InlineData("http", 80)]
    [InlineData("www", 80)]
    [InlineData("smtp", 25)]
    [InlineData("mail", 25)]
    [InlineData("imap", 143)]
    [InlineData("imap2", 143)]
    [InlineData("pop3", 110)]
    [InlineData("pop-3", 110)]
    [InlineData("telnet", 23)]
    [InlineData("tcpmux", 1)]
    [InlineData("indented", 4242)]
    [InlineData("tabbed", 4343)]
    [InlineData("tabalias", 4343)]
    [InlineData("both", 7778)]
    public void Tcp_service_names_and_aliases_are_looked_up(string name, int expected)
    {
        Assert.Equal(expected, PortParser.Parse(name, _services));
    }

    [Fact]
    public void A_service_name_may_start_with_a_digit()
    {
        Assert.Equal(564, PortParser.Parse("9pfs", _services));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("00")]
    [InlineData("65536")]
    [InlineData("70000")]
    [InlineData("99999999999999999999")]
    [InlineData("-1")]
    [InlineData("+80")]
    [InlineData(" 80")]
    [InlineData("80 ")]
    [InlineData("8o")]
    [InlineData("80x")]
    [InlineData("0x50")]
    [InlineData("1e3")]
    [InlineData("")]
    [InlineData("nosuchservice")]
    [InlineData("HTTP")]
    [InlineData("udponly")]
    [InlineData("hugeport")]
    [InlineData("zeroport")]
    [InlineData("commented")]
    [InlineData("ghost")]
    [InlineData("brokenline")]
    [InlineData("noproto")]
    [InlineData("tcp")]
    [InlineData("80/tcp")]
    [InlineData("#")]
    [InlineData("\u0663\u0660")]
    public void Anything_else_is_an_invalid_port_with_exit_64(string text)
    {
        var e = Assert.Throws<BalanceException>(() => PortParser.Parse(text, _services));
        Assert.Equal($"invalid port [{text}], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.False(e.ShowUsage);
    }

    [Fact]
    public void A_missing_services_file_only_loses_the_names()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"balance-no-services-{Guid.NewGuid():N}");
        Assert.Equal(8080, PortParser.Parse("8080", missing));
        var e = Assert.Throws<BalanceException>(() => PortParser.Parse("http", missing));
        Assert.Equal("invalid port [http], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Fact]
    public void TryParse_reports_without_throwing()
    {
        Assert.True(PortParser.TryParse("smtp", _services, out int port));
        Assert.Equal(25, port);
        Assert.False(PortParser.TryParse("65536", _services, out port));
        Assert.Equal(0, port);
        Assert.False(PortParser.TryParse("nosuchservice", _services, out port));
        Assert.Equal(0, port);
    }
}
