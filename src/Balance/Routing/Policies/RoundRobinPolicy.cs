namespace Balance.Routing.Policies;

/// <summary>
/// The first usable channel from the group's position, wrapping once; after a
/// failure, the next usable one after it that this client has not tried.
/// </summary>
internal sealed class RoundRobinPolicy : IChannelPolicy
{
    public int First(ChannelGroup group, RouteCursor cursor, RouteRules rules) =>
        group.FirstUsable(group.Current, cursor);

    public int Next(ChannelGroup group, RouteCursor cursor, RouteRules rules) =>
        group.FirstUsable(cursor.LastFailed + 1, cursor);
}
