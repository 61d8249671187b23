using System.Net;
using Balance.Hosting;
using Balance.Proxy.Session;

namespace Balance.Tests.Proxy.Session;

public sealed class OutgoingSourceTests
{
    private static IPAddress? For(string? source, string target) =>
        new OutgoingSource(source is null ? null : IPAddress.Parse(source), new Log(debug: false)).For(IPAddress.Parse(target));

    [Fact]
    public void Without_B_nothing_is_bound() => Assert.Null(For(null, "127.0.0.1"));

    [Theory]
    [InlineData("127.0.0.2", "127.0.0.1", "127.0.0.2")]
    [InlineData("::1", "::1", "::1")]
    [InlineData("127.0.0.2", "::ffff:127.0.0.1", "::ffff:127.0.0.2")]
    public void A_source_of_the_channels_family_is_used(string source, string target, string bound) =>
        Assert.Equal(IPAddress.Parse(bound), For(source, target));

    [Theory]
    [InlineData("127.0.0.2", "::1")]
    [InlineData("::1", "127.0.0.1")]
    [InlineData("::1", "::ffff:127.0.0.1")]
    public void A_source_that_cannot_reach_the_channel_is_left_out(string source, string target) =>
        Assert.Null(For(source, target));
}
