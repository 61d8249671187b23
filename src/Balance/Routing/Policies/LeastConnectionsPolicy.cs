namespace Balance.Routing.Policies;

/// <summary>
/// The usable channel with the fewest connections (<c>c</c>, connects in
/// progress included) for its weight: c/weight compared without division.
/// The search starts at the group's position and only a strictly better
/// channel replaces the one found, so ties go round robin. After a failure,
/// the same choice among the channels this client has not tried.
/// Linear in the group's channels (at most 256), under the table's lock.
/// </summary>
internal sealed class LeastConnectionsPolicy : IChannelPolicy
{
    public int First(ChannelGroup group, RouteCursor cursor, RouteRules rules) => Least(group, cursor);

    public int Next(ChannelGroup group, RouteCursor cursor, RouteRules rules) => Least(group, cursor);

    private static int Least(ChannelGroup group, RouteCursor cursor)
    {
        int count = group.Channels.Count;
        int best = -1;
        long bestConnections = 0;
        long bestWeight = 1;
        for (int step = 0; step < count; step++)
        {
            int index = (group.Current + step) % count;
            if (!group.CanTake(index, cursor))
            {
                continue;
            }

            Channel channel = group.Channels[index];
            long connections = channel.Connections;
            long weight = channel.Weight;
            if (best < 0 || connections * bestWeight < bestConnections * weight)
            {
                best = index;
                bestConnections = connections;
                bestWeight = weight;
            }
        }

        return best;
    }
}
