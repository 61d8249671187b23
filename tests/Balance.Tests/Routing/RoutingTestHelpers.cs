using System.Net;
using Balance.Routing;

namespace Balance.Tests.Routing;

/// <summary>Small builders for routing tables whose channels are told apart by port.</summary>
internal static class RoutingTestHelpers
{
    /// <summary>Channel C of group G listens on port 10000 + 100 * G + C.</summary>
    public static int PortOf(int group, int channel) => 10000 + (100 * group) + channel;

    /// <summary>
    /// A group of channels with these limits. A hash group chooses with the
    /// modulo mapping (the policy of --hash-type modulo), whose clients the
    /// rule tests here pick channel by channel (<see cref="ClientFor"/>); the
    /// consistent mapping, the default, has tests of its own
    /// (ConsistentHashRoutingTests, Policies/ConsistentHashPolicyTests).
    /// </summary>
    public static ChannelGroup Group(int groupIndex, GroupType type, params int[] maxConnections)
    {
        var group = new ChannelGroup { Type = type };
        if (type == GroupType.Hash)
        {
            group.Use(GroupType.Hash, GroupType.ModuloHash.CreatePolicy());
        }

        for (int c = 0; c < maxConnections.Length; c++)
        {
            group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, PortOf(groupIndex, c)), maxConnections[c]));
        }

        return group;
    }

    /// <summary>A group of <paramref name="channels"/> unlimited channels.</summary>
    public static ChannelGroup Rr(int groupIndex, int channels) => Group(groupIndex, GroupType.RoundRobin, new int[channels]);

    public static ChannelGroup Hash(int groupIndex, int channels) => Group(groupIndex, GroupType.Hash, new int[channels]);

    public static RouteCursor Client(string address) => new(ClientHash.Of(IPAddress.Parse(address)));

    public static RouteCursor AnyClient() => Client("192.0.2.1");

    /// <summary>A client address whose hash picks <paramref name="channel"/> in a group of <paramref name="count"/>.</summary>
    public static string ClientFor(int channel, int count, string prefix = "10.0.0.")
    {
        for (int i = 1; i < 255; i++)
        {
            string address = prefix + i;
            if (ClientHash.Of(IPAddress.Parse(address)) % (uint)count == (uint)channel)
            {
                return address;
            }
        }

        throw new InvalidOperationException($"no client for channel {channel} of {count}");
    }

    /// <summary>(group, channel) of a lease, or null.</summary>
    public static (int Group, int Channel)? Where(ChannelLease? lease) =>
        lease is { } l ? (l.Group, l.Index) : null;
}
