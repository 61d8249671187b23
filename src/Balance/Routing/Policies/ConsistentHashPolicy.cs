namespace Balance.Routing.Policies;

/// <summary>
/// Hash groups ("%"): the client's address picks a slot of the group's
/// <see cref="MaglevTable"/>, built from the joined channels' addresses and
/// weights, so a client always reaches the same channel, shares follow the
/// weights, and another channel joining moves only the clients it takes over.
/// When the client's channel is disabled, down or full, without -H the group
/// is skipped; with -H the client probes further slots of its own (each a
/// fresh hash of its address) and takes the first channel that can take it,
/// so the clients of one channel spread over all the others by weight, the
/// same ones each time, and no other client moves. After a failed connect,
/// -H goes on along the same probes.
/// </summary>
internal sealed class ConsistentHashPolicy : IChannelPolicy
{
    /// <summary>
    /// Probes before walking the table slot by slot: with half the weight
    /// unusable, 32 probes all miss once in four billion clients.
    /// </summary>
    private const int Probes = 32;

    private MaglevTable? _table;
    private MaglevMember[] _members = [];

    public int First(ChannelGroup group, RouteCursor cursor, RouteRules rules)
    {
        MaglevTable? table = Volatile.Read(ref _table);
        if (table is null)
        {
            return -1;
        }

        int own = table.ChannelAt(Slot(cursor.ClientHash, 0, table.Size));
        if (group.CanTake(own, cursor))
        {
            return own;
        }

        return rules.HashFailover ? Elsewhere(group, cursor, table) : -1;
    }

    public int Next(ChannelGroup group, RouteCursor cursor, RouteRules rules) =>
        rules.HashFailover && Volatile.Read(ref _table) is { } table ? Elsewhere(group, cursor, table) : -1;

    public void Rebuild(IReadOnlyList<PolicyChannel> channels)
    {
        MaglevMember[] members = MembersOf(channels);
        if (members.AsSpan().SequenceEqual(_members))
        {
            return; // no joined channel changed address or weight: the table stands
        }

        Volatile.Write(ref _table, members.Length == 0 ? null : MaglevTable.Build(members));
        _members = members;
    }

    /// <summary>The joined channels, keyed by address; equal addresses told apart by their order among themselves.</summary>
    public static MaglevMember[] MembersOf(IReadOnlyList<PolicyChannel> channels)
    {
        var members = new List<MaglevMember>();
        foreach (PolicyChannel channel in channels)
        {
            if (!channel.Joined)
            {
                continue;
            }

            int occurrence = 0;
            for (int i = 0; i < channel.Index; i++)
            {
                if (channels[i].Joined && channels[i].EndPoint.Equals(channel.EndPoint))
                {
                    occurrence++;
                }
            }

            members.Add(new MaglevMember(channel.Index, StableHash.OfChannel(channel.EndPoint, occurrence), channel.Weight));
        }

        return members.ToArray();
    }

    /// <summary>Slot of the client's <paramref name="probe"/>-th try: probe 0 is its own channel.</summary>
    public static int Slot(uint clientHash, int probe, int size) =>
        (int)(StableHash.Mix(((ulong)(uint)probe << 32) | clientHash) % (ulong)size);

    /// <summary>
    /// The client's probes, then (a case of nearly every channel out) the
    /// table slot by slot from its last probe, once round; -1 when no joined
    /// channel can take it.
    /// </summary>
    private static int Elsewhere(ChannelGroup group, RouteCursor cursor, MaglevTable table)
    {
        uint hash = cursor.ClientHash;
        for (int probe = 1; probe <= Probes; probe++)
        {
            int channel = table.ChannelAt(Slot(hash, probe, table.Size));
            if (group.CanTake(channel, cursor))
            {
                return channel;
            }
        }

        if (!AnyJoinedCanTake(group, cursor))
        {
            return -1;
        }

        int start = Slot(hash, Probes + 1, table.Size);
        for (int step = 0; step < table.Size; step++)
        {
            int slot = start + step < table.Size ? start + step : start + step - table.Size;
            int channel = table.ChannelAt(slot);
            if (group.CanTake(channel, cursor))
            {
                return channel;
            }
        }

        return -1; // only channels too light to hold a slot are left
    }

    private static bool AnyJoinedCanTake(ChannelGroup group, RouteCursor cursor)
    {
        bool any = false;
        for (int i = 0; i < group.Channels.Count; i++)
        {
            any |= group.Channels[i].Joined && group.CanTake(i, cursor);
        }

        return any;
    }
}
