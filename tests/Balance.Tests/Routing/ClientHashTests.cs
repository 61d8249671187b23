using System.Net;
using Balance.Routing;

namespace Balance.Tests.Routing;

public sealed class ClientHashTests
{
    private static uint Of(string address) => ClientHash.Of(IPAddress.Parse(address));

    [Theory]
    [InlineData("127.0.0.1", 3668918509u)]
    [InlineData("1.2.3.4", 1463068797u)]
    [InlineData("::1", 1751717746u)]
    public void Is_FNV_1a_of_the_address_bytes(string address, uint expected)
    {
        // pinned: a client must stay on its channel across restarts and upgrades
        Assert.Equal(expected, Of(address));
    }

    [Fact]
    public void Is_stable()
    {
        Assert.Equal(Of("198.51.100.40"), Of("198.51.100.40"));
        Assert.Equal(Of("2001:db8::1"), Of("2001:db8:0:0:0:0:0:1"));
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    public void A_mapped_IPv4_address_hashes_as_the_IPv4_address(string v4)
    {
        Assert.Equal(Of(v4), Of("::ffff:" + v4));
        Assert.Equal(Of(v4), ClientHash.Of(IPAddress.Parse(v4).MapToIPv6()));
    }

    [Fact]
    public void Only_the_address_counts_not_the_port()
    {
        IPAddress address = IPAddress.Parse("192.0.2.33");
        Assert.Equal(ClientHash.Of(new IPEndPoint(address, 1).Address), ClientHash.Of(new IPEndPoint(address, 65535).Address));
    }

    [Fact]
    public void Neighbouring_addresses_hash_apart()
    {
        var hashes = Enumerable.Range(0, 256).Select(i => Of($"10.0.0.{i}")).ToHashSet();
        Assert.Equal(256, hashes.Count);
        Assert.NotEqual(Of("::1"), Of("::2"));
        Assert.NotEqual(Of("1.2.3.4"), Of("4.3.2.1"));
    }

    [Fact]
    public void IPv6_scope_does_not_matter()
    {
        var scoped = IPAddress.Parse("fe80::1");
        scoped.ScopeId = 3;
        Assert.Equal(Of("fe80::1"), ClientHash.Of(scoped));
    }

    [Fact]
    public void Normalize_unmaps_IPv4_and_leaves_the_rest()
    {
        Assert.Equal(IPAddress.Parse("1.2.3.4"), ClientHash.Normalize(IPAddress.Parse("::ffff:1.2.3.4")));
        Assert.Equal(IPAddress.Parse("1.2.3.4"), ClientHash.Normalize(IPAddress.Parse("1.2.3.4")));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), ClientHash.Normalize(IPAddress.Parse("2001:db8::1")));
        Assert.Equal(IPAddress.IPv6Loopback, ClientHash.Normalize(IPAddress.IPv6Loopback));
        Assert.Equal("1.2.3.4", ClientHash.Normalize(IPAddress.Parse("::ffff:1.2.3.4")).ToString());
    }
}
