using Balance.Routing;
using Balance.Routing.Policies;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Routing.Policies;

public sealed class HashPolicyTests
{
    private static readonly HashPolicy Policy = new();
    private static readonly RouteRules WithoutH = new(HashFailover: false, AutoDisable: false);
    private static readonly RouteRules WithH = new(HashFailover: true, AutoDisable: false);

    [Fact]
    public void A_client_gets_its_hashed_channel_whatever_the_position()
    {
        ChannelGroup group = Hash(0, 4);
        string client = ClientFor(3, 4);
        group.Current = 1;
        Assert.Equal(3, Policy.First(group, Client(client), WithoutH));
        Assert.Equal(3, Policy.First(group, Client(client), WithoutH));
    }

    [Fact]
    public void An_unusable_hashed_channel_skips_the_group_without_H()
    {
        ChannelGroup group = Hash(0, 3);
        group.Channels[1].Enabled = false;
        Assert.Equal(-1, Policy.First(group, Client(ClientFor(1, 3)), WithoutH));
    }

    [Fact]
    public void An_unusable_hashed_channel_moves_to_the_next_usable_one_with_H()
    {
        ChannelGroup group = Hash(0, 3);
        group.Channels[1].Enabled = false;
        Assert.Equal(2, Policy.First(group, Client(ClientFor(1, 3)), WithH));
    }

    [Fact]
    public void Failover_within_the_group_only_with_H()
    {
        ChannelGroup group = Hash(0, 3);
        RouteCursor cursor = Client(ClientFor(0, 3));
        cursor.MarkTried(0);
        cursor.LastFailed = 0;
        Assert.Equal(-1, Policy.Next(group, cursor, WithoutH));
        Assert.Equal(1, Policy.Next(group, cursor, WithH));
    }

    [Fact]
    public void Weights_stretch_a_channel_over_that_many_values_of_the_modulo()
    {
        var policy = new HashPolicy();
        ChannelGroup group = Hash(0, 3);
        group.Channels[1].Weight = 2; // values 0, 1 2, 3 of hash mod 4
        policy.Rebuild(group.Describe());
        var counts = new int[3];
        for (uint hash = 0; hash < 400; hash++)
        {
            counts[policy.First(group, new RouteCursor(hash), WithoutH)]++;
        }

        Assert.Equal([100, 200, 100], counts);
    }

    [Fact]
    public void All_weights_1_is_the_plain_modulo()
    {
        var policy = new HashPolicy();
        ChannelGroup group = Hash(0, 5);
        policy.Rebuild(group.Describe());
        for (uint hash = 0; hash < 50; hash++)
        {
            Assert.Equal((int)(hash % 5), policy.First(group, new RouteCursor(hash), WithoutH));
        }
    }
}
