using Balance.CommandLine;
using Balance.Discovery;

namespace Balance.Tests.Discovery;

public sealed class SrvSpecTests
{
    [Theory]
    [InlineData("srv:_imap._tcp.mail.example.test", "_imap._tcp.mail.example.test", 0)]
    [InlineData("SRV:_imap._tcp.example.test.:16", "_imap._tcp.example.test", 16)]
    [InlineData("srv:_x._tcp.example.test:", "_x._tcp.example.test", 0)]
    public void Parses(string text, string name, int maxc)
    {
        Assert.True(SrvSpec.Is(text));
        SrvSpec spec = SrvSpec.Parse(text, 3);
        Assert.Equal((name, maxc, 3), (spec.Name, spec.MaxConnections, spec.Group));
    }

    [Theory]
    [InlineData("srv:")]
    [InlineData("srv:a..b")]
    [InlineData("srv:a b")]
    [InlineData("srv:_x._tcp.test:abc")]
    [InlineData("srv:_x._tcp.test:1:2")]
    public void RejectsWithAnInvalidAddressError(string text)
    {
        var e = Assert.Throws<BalanceException>(() => SrvSpec.Parse(text, 0));
        Assert.Equal(ExitCodes.DataError, e.ExitCode);
    }

    [Fact]
    public void ACommandLineWithSrvArgumentsKeepsTheirGroups()
    {
        Options options = CommandLineParser.Parse(["-f", "8080", "a", "srv:_x._tcp.test", "!", "srv:_y._tcp.test:4", "%"]);
        Assert.Equal(["a"], options.Groups[0].Channels.Select(c => c.Host));
        Assert.Equal(("_x._tcp.test", 0), (options.Groups[0].Services[0].Name, options.Groups[0].Services[0].Group));
        Assert.Equal((1, 4), (options.Groups[1].Services[0].Group, options.Groups[1].Services[0].MaxConnections));
        Assert.Equal(Balance.Routing.GroupType.Hash, options.Groups[1].Type);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    public void ResolverAddresses(string text, string endPoint) =>
        Assert.Equal(endPoint, SrvDiscovery.ParseResolver(text).ToString());

    [Theory]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:0")]
    [InlineData("")]
    public void BadResolversAreUsageErrors(string text) =>
        Assert.Equal(ExitCodes.Usage, Assert.Throws<BalanceException>(() => SrvDiscovery.ParseResolver(text)).ExitCode);
}
