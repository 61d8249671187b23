using System.Net;
using Balance.Cluster;
using Balance.Control;
using CsCheck;

namespace Balance.Tests.Cluster;

public sealed class ClusterKeysTests
{
    [Theory]
    [InlineData(0, "0", "/balance/web/channels/2/127.0.0.1:8080/enabled")]
    [InlineData(1, "16", "/balance/web/channels/2/127.0.0.1:8080/maxc")]
    [InlineData(2, "5", "/balance/web/channels/2/127.0.0.1:8080/weight")]
    [InlineData(3, "127.0.0.2:80", "/balance/web/channels/2/127.0.0.1:8080/from")]
    public void AChannelIsNamedByGroupAndAddressAndReadsBack(int attributeNumber, string value, string key)
    {
        var attribute = (SharedAttribute)attributeNumber;
        var change = new OperatorChange(2, IPEndPoint.Parse("127.0.0.1:8080"), attribute, value);
        Assert.Equal(key, ClusterKeys.Key("web", change));
        Assert.True(ClusterKeys.TryParse("web", key, value, out OperatorChange back));
        Assert.Equal(change, back);
    }

    [Fact]
    public void IPv6AddressesAreBracketed()
    {
        var change = new OperatorChange(0, IPEndPoint.Parse("[::1]:80"), SharedAttribute.Enabled, "1");
        string key = ClusterKeys.Key("c", change);
        Assert.Equal("/balance/c/channels/0/[::1]:80/enabled", key);
        Assert.True(ClusterKeys.TryParse("c", key, "1", out _));
    }

    [Theory]
    [InlineData("/balance/other/channels/0/127.0.0.1:80/enabled", "1")]
    [InlineData("/balance/web/channels/64/127.0.0.1:80/enabled", "1")]
    [InlineData("/balance/web/channels/-1/127.0.0.1:80/enabled", "1")]
    [InlineData("/balance/web/channels/0/127.0.0.1:0/enabled", "1")]
    [InlineData("/balance/web/channels/0/host:80/enabled", "1")]
    [InlineData("/balance/web/channels/0/127.0.0.1:80/enabled", "2")]
    [InlineData("/balance/web/channels/0/127.0.0.1:80/weight", "0")]
    [InlineData("/balance/web/channels/0/127.0.0.1:80/weight", "1001")]
    [InlineData("/balance/web/channels/0/127.0.0.1:80/maxc", "-1")]
    [InlineData("/balance/web/channels/0/127.0.0.1:80/from", "nowhere")]
    [InlineData("/balance/web/channels/0/127.0.0.1:80/colour", "1")]
    [InlineData("/balance/web/channels/0/127.0.0.1:80", "1")]
    public void KeysAndValuesNotMadeByBalanceAreIgnored(string key, string value) =>
        Assert.False(ClusterKeys.TryParse("web", key, value, out _));

    [Fact]
    public void AnyKeyAndValueIsReadWithoutThrowing() =>
        Gen.Select(Gen.String, Gen.String).Sample((key, value) =>
        {
            _ = ClusterKeys.TryParse("web", "/balance/web/channels/" + key, value, out _);
        }, iter: 20_000);
}
