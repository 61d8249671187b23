namespace Balance.Routing;

/// <summary>An ordered list of channels with its distribution scheme and round-robin position.</summary>
internal sealed class ChannelGroup
{
    private GroupType _type = GroupType.RoundRobin;

    /// <summary>Setting it gives the group a new policy (the routing table builds its lookup data).</summary>
    public GroupType Type
    {
        get => _type;
        set => Use(value, value.CreatePolicy());
    }

    /// <summary>Does the choosing for <see cref="Type"/>.</summary>
    public IChannelPolicy Policy { get; private set; } = GroupType.RoundRobin.CreatePolicy();

    public List<Channel> Channels { get; } = new();

    /// <summary>Where the next round-robin search starts: the channel after the last one chosen.</summary>
    public int Current { get; set; }

    /// <summary>Switches to <paramref name="type"/> with a policy made (and built) for it.</summary>
    internal void Use(GroupType type, IChannelPolicy policy)
    {
        _type = type;
        Policy = policy;
    }

    /// <summary>
    /// Whether channel <paramref name="index"/> may take this client now:
    /// usable (routable, below maxc) and not tried by it. A channel passed over
    /// only because it is full is noted on the cursor (the client may wait for it).
    /// </summary>
    public bool CanTake(int index, RouteCursor cursor)
    {
        Channel channel = Channels[index];
        if (cursor.WasTried(index))
        {
            return false;
        }

        if (channel.IsUsable)
        {
            return true;
        }

        if (channel.State.Routable)
        {
            cursor.SawFull = true;
        }

        return false;
    }

    /// <summary>The first usable channel this client has not tried, from <paramref name="start"/>, wrapping once; -1 if none.</summary>
    public int FirstUsable(int start, RouteCursor cursor)
    {
        int count = Channels.Count;
        for (int step = 0; step < count; step++)
        {
            int index = (start + step) % count;
            if (CanTake(index, cursor))
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>What a policy may precompute from, taken under the table's lock.</summary>
    public PolicyChannel[] Describe()
    {
        var channels = new PolicyChannel[Channels.Count];
        for (int i = 0; i < channels.Length; i++)
        {
            Channel channel = Channels[i];
            channels[i] = new PolicyChannel(i, channel.EndPoint, channel.Weight, channel.Joined);
        }

        return channels;
    }
}
