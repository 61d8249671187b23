using System.Net;
using Balance.CommandLine;
using Balance.Proxy;
using Balance.Routing;

namespace Balance.Hosting;

/// <summary>Resolves the command line's channel specs into the routing table.</summary>
internal static class RoutingTableBuilder
{
    public static RoutingTable Build(Options options)
    {
        var groups = new List<ChannelGroup>();
        foreach (GroupSpec spec in options.Groups)
        {
            var group = new ChannelGroup { Type = spec.Type };
            foreach (ChannelSpec channel in spec.Channels)
            {
                IPAddress address = AddressResolver.Resolve(channel.Host);
                group.Channels.Add(new Channel(new IPEndPoint(address, channel.Port), channel.MaxConnections, weight: channel.Weight));
            }

            groups.Add(group);
        }

        return new RoutingTable(groups, options.HashFailover, options.AutoDisable, options.HashType);
    }
}
