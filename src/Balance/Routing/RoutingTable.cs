using System.Net;

namespace Balance.Routing;

/// <summary>
/// Groups, channels and counters of one instance: the only state the proxy and
/// the control server share. Choice and changes run under one lock (they are
/// short and rare next to relaying); byte and connection counters are lock-free.
/// </summary>
internal sealed class RoutingTable
{
    private readonly object _sync = new();
    private readonly ChannelGroup[] _groups;

    public RoutingTable(IReadOnlyList<ChannelGroup> groups, bool hashFailover = false, bool autoDisable = false)
    {
        if (groups.Count > Limits.MaxGroups)
        {
            throw new ArgumentException("too many groups", nameof(groups));
        }

        _groups = new ChannelGroup[Limits.MaxGroups];
        for (int i = 0; i < _groups.Length; i++)
        {
            _groups[i] = i < groups.Count ? groups[i] : new ChannelGroup();
        }

        HashFailover = hashFailover;
        AutoDisable = autoDisable;
    }

    public bool HashFailover { get; }

    public bool AutoDisable { get; }

    /// <summary>
    /// Picks the next channel for a connection following compat.md: round robin
    /// from the group's current position, or the client's hash; then failover
    /// within the group and on to the next groups. Returns null when none is left.
    /// </summary>
    public ChannelLease? Next(RouteCursor cursor)
    {
        lock (_sync)
        {
            while (cursor.Group < _groups.Length)
            {
                ChannelGroup group = _groups[cursor.Group];
                int index = group.Channels.Count == 0 ? -1 : Pick(group, cursor);
                if (index >= 0)
                {
                    group.Current = (index + 1) % group.Channels.Count;
                    Channel channel = group.Channels[index];
                    channel.BeginAttempt();
                    cursor.MarkTried(index);
                    return new ChannelLease(cursor.Group, index, channel);
                }

                cursor.NextGroup();
            }

            return null;
        }
    }

    private int Pick(ChannelGroup group, RouteCursor cursor)
    {
        bool failoverInGroup = group.Type == GroupType.RoundRobin || HashFailover;
        if (cursor.InFailover)
        {
            return failoverInGroup ? FirstUsable(group, cursor.LastFailed + 1, cursor) : -1;
        }

        if (group.Type == GroupType.RoundRobin)
        {
            return FirstUsable(group, group.Current, cursor);
        }

        int hashed = (int)(cursor.ClientHash % (uint)group.Channels.Count);
        if (group.Channels[hashed].IsUsable)
        {
            return hashed;
        }

        return HashFailover ? FirstUsable(group, hashed + 1, cursor) : -1;
    }

    /// <summary>The first enabled, non-full, untried channel from <paramref name="start"/>, wrapping once.</summary>
    private static int FirstUsable(ChannelGroup group, int start, RouteCursor cursor)
    {
        int count = group.Channels.Count;
        for (int step = 0; step < count; step++)
        {
            int index = (start + step) % count;
            if (group.Channels[index].IsUsable && !cursor.WasTried(index))
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>
    /// Records a failed connect: gives the connection slot back and, with
    /// autodisable, disables the channel. Returns true when it was disabled.
    /// </summary>
    public bool Failed(RouteCursor cursor, ChannelLease lease)
    {
        lease.Channel.EndConnection();
        lock (_sync)
        {
            cursor.LastFailed = lease.Index;
            bool disabled = AutoDisable && lease.Channel.Enabled;
            if (disabled)
            {
                lease.Channel.Enabled = false;
            }

            return disabled;
        }
    }

    public List<ChannelStatus> Snapshot()
    {
        var rows = new List<ChannelStatus>();
        lock (_sync)
        {
            for (int g = 0; g < _groups.Length; g++)
            {
                ChannelGroup group = _groups[g];
                for (int c = 0; c < group.Channels.Count; c++)
                {
                    Channel ch = group.Channels[c];
                    rows.Add(new ChannelStatus(
                        g, group.Type, c, ch.Enabled, ch.EndPoint, ch.Connections, ch.TotalConnections,
                        ch.MaxConnections, ch.BytesSent, ch.BytesReceived));
                }
            }
        }

        return rows;
    }

    public static bool IsValidGroup(int group) => group >= 0 && group < Limits.MaxGroups;

    /// <summary>How many channels a group has; 0 for a group number out of range.</summary>
    public int ChannelCount(int group)
    {
        if (!IsValidGroup(group))
        {
            return 0;
        }

        lock (_sync)
        {
            return _groups[group].Channels.Count;
        }
    }

    public ChannelStatus? Status(int group, int channel)
    {
        if (!IsValidGroup(group))
        {
            return null;
        }

        lock (_sync)
        {
            ChannelGroup g = _groups[group];
            if (channel < 0 || channel >= g.Channels.Count)
            {
                return null;
            }

            Channel ch = g.Channels[channel];
            return new ChannelStatus(
                group, g.Type, channel, ch.Enabled, ch.EndPoint, ch.Connections, ch.TotalConnections,
                ch.MaxConnections, ch.BytesSent, ch.BytesReceived);
        }
    }

    public ControlResult SetEnabled(int group, int channel, bool enabled) =>
        WithChannel(group, channel, ch =>
        {
            if (ch.Enabled == enabled)
            {
                return ControlResult.Unchanged;
            }

            ch.Enabled = enabled;
            return ControlResult.Done;
        });

    public ControlResult SetMaxConnections(int group, int channel, int maxConnections) =>
        WithChannel(group, channel, ch =>
        {
            ch.MaxConnections = maxConnections;
            return ControlResult.Done;
        });

    public ControlResult ResetCounters(int group, int channel) =>
        WithChannel(group, channel, ch =>
        {
            ch.ResetCounters();
            return ControlResult.Done;
        });

    public ControlResult Assign(int group, int channel, IPEndPoint endPoint) =>
        WithChannel(group, channel, ch =>
        {
            if (ch.Enabled)
            {
                return ControlResult.MustBeDisabled;
            }

            ch.EndPoint = endPoint;
            return ControlResult.Done;
        });

    /// <summary>Appends a channel, disabled, to a group (the control command <c>create</c>).</summary>
    public ControlResult Create(int group, IPEndPoint endPoint)
    {
        if (!IsValidGroup(group))
        {
            return ControlResult.NoSuchGroup;
        }

        lock (_sync)
        {
            List<Channel> channels = _groups[group].Channels;
            if (channels.Count >= Limits.MaxChannels)
            {
                return ControlResult.NoSlots;
            }

            channels.Add(new Channel(endPoint, maxConnections: 0, enabled: false));
            return ControlResult.Done;
        }
    }

    public ControlResult SetType(int group, GroupType type)
    {
        if (!IsValidGroup(group))
        {
            return ControlResult.NoSuchGroup;
        }

        lock (_sync)
        {
            _groups[group].Type = type;
            return ControlResult.Done;
        }
    }

    private ControlResult WithChannel(int group, int channel, Func<Channel, ControlResult> change)
    {
        if (!IsValidGroup(group))
        {
            return ControlResult.NoSuchGroup;
        }

        lock (_sync)
        {
            List<Channel> channels = _groups[group].Channels;
            if (channel < 0 || channel >= channels.Count)
            {
                return ControlResult.NoSuchChannel;
            }

            return change(channels[channel]);
        }
    }
}
