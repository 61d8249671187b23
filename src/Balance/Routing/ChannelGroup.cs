namespace Balance.Routing;

/// <summary>An ordered list of channels with its distribution scheme and round-robin position.</summary>
internal sealed class ChannelGroup
{
    private GroupType _type = GroupType.RoundRobin;

    public GroupType Type
    {
        get => _type;
        set
        {
            _type = value;
            Policy = value.CreatePolicy();
        }
    }

    /// <summary>Does the choosing for <see cref="Type"/>.</summary>
    public IChannelPolicy Policy { get; private set; } = GroupType.RoundRobin.CreatePolicy();

    public List<Channel> Channels { get; } = new();

    /// <summary>Where the next round-robin search starts: the channel after the last one chosen.</summary>
    public int Current { get; set; }

    /// <summary>The first usable channel this client has not tried, from <paramref name="start"/>, wrapping once; -1 if none.</summary>
    public int FirstUsable(int start, RouteCursor cursor)
    {
        int count = Channels.Count;
        for (int step = 0; step < count; step++)
        {
            int index = (start + step) % count;
            if (Channels[index].IsUsable && !cursor.WasTried(index))
            {
                return index;
            }
        }

        return -1;
    }
}
