namespace Balance.Routing;

/// <summary>
/// How a group picks a channel for a client: one small class per scheme
/// (see <see cref="GroupType"/>). A policy only chooses; the routing table
/// counts, moves the group's position and walks on to the next group.
/// <see cref="First"/> and <see cref="Next"/> run under the table's lock, once
/// per connect: they must not allocate. Channels they pass over go through
/// <see cref="ChannelGroup.CanTake"/>, which also notes a full one.
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

    /// <summary>
    /// The group's channels changed (a channel created, reassigned, given a
    /// weight, or joined by its first <c>enable</c>): rebuild what the lookups
    /// read. Called by the routing table outside its lock, one call at a time
    /// per group, never on a connection's path; what it builds is published
    /// for the next <see cref="First"/> at once.
    /// </summary>
    void Rebuild(IReadOnlyList<PolicyChannel> channels)
    {
    }
}
