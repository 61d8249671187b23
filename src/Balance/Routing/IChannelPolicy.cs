namespace Balance.Routing;

/// <summary>
/// How a group picks a channel for a client: one small class per scheme
/// (see <see cref="GroupType"/>). A policy only chooses; the routing table
/// counts, moves the group's position and walks on to the next group.
/// </summary>
internal interface IChannelPolicy
{
    /// <summary>The channel to try first for this client, or -1 when the group has none for it.</summary>
    int First(ChannelGroup group, RouteCursor cursor, RouteRules rules);

    /// <summary>
    /// The channel to try after <see cref="RouteCursor.LastFailed"/> failed in
    /// this group, or -1 to go on to the next group.
    /// </summary>
    int Next(ChannelGroup group, RouteCursor cursor, RouteRules rules);
}
