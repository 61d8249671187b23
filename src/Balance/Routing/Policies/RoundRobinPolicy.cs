namespace Balance.Routing.Policies;

/// <summary>
/// The first usable channel from the group's position, wrapping once; after a
/// failure, the next usable one after it that this client has not tried.
/// With weights other than 1, the first pick is smooth weighted round robin
/// (as nginx does it): every usable channel earns its weight, the richest one
/// is taken and pays the sum of the weights, so over every sum(weights) picks
/// each channel gets exactly its weight, spread out (3,1,2 gives A C A B C A).
/// With all weights 1 that would be the same rotation, but it is the
/// position walk itself that runs then, so the original's <c>current</c>
/// position and its failover order hold exactly.
/// </summary>
internal sealed class RoundRobinPolicy : IChannelPolicy
{
    /// <summary>Each channel's earned credit; null while every weight is 1.</summary>
    private long[]? _credit;

    public int First(ChannelGroup group, RouteCursor cursor, RouteRules rules) =>
        Volatile.Read(ref _credit) is { } credit ? SmoothWeighted(group, cursor, credit) : group.FirstUsable(group.Current, cursor);

    public int Next(ChannelGroup group, RouteCursor cursor, RouteRules rules) =>
        group.FirstUsable(cursor.LastFailed + 1, cursor);

    /// <summary>A fresh cycle for the new weights; credit only where a weight is not 1.</summary>
    public void Rebuild(IReadOnlyList<PolicyChannel> channels) =>
        Volatile.Write(ref _credit, channels.Any(c => c.Weight != Channel.MinWeight) ? new long[channels.Count] : null);

    private int SmoothWeighted(ChannelGroup group, RouteCursor cursor, long[] credit)
    {
        int count = Math.Min(group.Channels.Count, credit.Length); // a channel added since the rebuild waits for the next one
        long total = 0;
        int best = -1;
        for (int i = 0; i < count; i++)
        {
            if (!group.CanTake(i, cursor))
            {
                continue;
            }

            int weight = group.Channels[i].Weight;
            credit[i] += weight;
            total += weight;
            if (best < 0 || credit[i] > credit[best])
            {
                best = i;
            }
        }

        if (best >= 0)
        {
            credit[best] -= total;
        }

        return best;
    }
}
