namespace Balance.Routing.Policies;

/// <summary>
/// The client's address hash modulo the channel count (--hash-type modulo,
/// the mapping of earlier versions), so a client always reaches the same
/// channel; weights other than 1 stretch a channel over that many values.
/// When that one is disabled or full, or fails, only -H lets the client go on
/// to the next usable channel of the group; without it the group is skipped.
/// Any change of the channel count moves most clients: see
/// <see cref="ConsistentHashPolicy"/>, the default.
/// </summary>
internal sealed class HashPolicy : IChannelPolicy
{
    /// <summary>Running sums of the weights; null while every weight is 1 (plain modulo).</summary>
    private long[]? _weightSums;

    public int First(ChannelGroup group, RouteCursor cursor, RouteRules rules)
    {
        int hashed = Hashed(group, cursor.ClientHash);
        if (group.CanTake(hashed, cursor))
        {
            return hashed;
        }

        return rules.HashFailover ? group.FirstUsable(hashed + 1, cursor) : -1;
    }

    public int Next(ChannelGroup group, RouteCursor cursor, RouteRules rules) =>
        rules.HashFailover ? group.FirstUsable(cursor.LastFailed + 1, cursor) : -1;

    public void Rebuild(IReadOnlyList<PolicyChannel> channels)
    {
        if (channels.All(c => c.Weight == Channel.MinWeight))
        {
            Volatile.Write(ref _weightSums, null);
            return;
        }

        var sums = new long[channels.Count];
        long sum = 0;
        for (int i = 0; i < sums.Length; i++)
        {
            sum += channels[i].Weight;
            sums[i] = sum;
        }

        Volatile.Write(ref _weightSums, sums);
    }

    private int Hashed(ChannelGroup group, uint clientHash)
    {
        int count = group.Channels.Count;
        long[]? sums = Volatile.Read(ref _weightSums);
        if (sums is null || sums.Length != count)
        {
            return (int)(clientHash % (uint)count);
        }

        // The first channel whose running sum exceeds the hash's place on the weight line.
        long place = clientHash % sums[^1];
        int found = Array.BinarySearch(sums, place + 1);
        return found >= 0 ? found : ~found;
    }
}
