namespace Balance.Routing.Policies;

/// <summary>
/// The client's address hash modulo the channel count, so a client always
/// reaches the same channel. When that one is disabled or full, or fails,
/// only -H lets the client go on to the next usable channel of the group;
/// without it the group is skipped.
/// </summary>
internal sealed class HashPolicy : IChannelPolicy
{
    public int First(ChannelGroup group, RouteCursor cursor, RouteRules rules)
    {
        int hashed = (int)(cursor.ClientHash % (uint)group.Channels.Count);
        if (group.Channels[hashed].IsUsable)
        {
            return hashed;
        }

        return rules.HashFailover ? group.FirstUsable(hashed + 1, cursor) : -1;
    }

    public int Next(ChannelGroup group, RouteCursor cursor, RouteRules rules) =>
        rules.HashFailover ? group.FirstUsable(cursor.LastFailed + 1, cursor) : -1;
}
