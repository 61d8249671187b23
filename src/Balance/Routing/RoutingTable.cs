using System.Net;

namespace Balance.Routing;

/// <summary>
/// Groups, channels and counters of one instance: the only state the proxy and
/// the control server share. Choice and changes run under one lock (they are
/// short and rare next to relaying); byte and connection counters are lock-free.
/// </summary>
internal sealed partial class RoutingTable
{
    private readonly object _sync = new();
    private readonly ChannelGroup[] _groups;
    private IConnectObserver[] _observers = [];

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

        Rules = new RouteRules(hashFailover, autoDisable);
    }

    public RouteRules Rules { get; }

    public bool HashFailover => Rules.HashFailover;

    public bool AutoDisable => Rules.AutoDisable;

    /// <summary>Adds one more listener to every connect's end (at start-up, before traffic).</summary>
    public void AddObserver(IConnectObserver observer)
    {
        lock (_sync)
        {
            _observers = [.. _observers, observer];
        }
    }

    /// <summary>
    /// Picks the next channel for a connection: the group's policy chooses
    /// (first pick, or after a failure in the group), then the table counts
    /// the attempt, moves the group's position after the chosen channel, and
    /// walks on to the next group when a group has nothing left. The cursor
    /// holds the chosen channel's slot until released. Null when no channel is left.
    /// </summary>
    public ChannelLease? Next(RouteCursor cursor)
    {
        lock (_sync)
        {
            while (cursor.Group < _groups.Length)
            {
                ChannelGroup group = _groups[cursor.Group];
                int index = group.Channels.Count == 0
                    ? -1
                    : cursor.InFailover ? group.Policy.Next(group, cursor, Rules) : group.Policy.First(group, cursor, Rules);
                if (index >= 0)
                {
                    group.Current = (index + 1) % group.Channels.Count;
                    Channel channel = group.Channels[index];
                    channel.BeginAttempt();
                    cursor.Hold(channel);
                    cursor.MarkTried(index);
                    return new ChannelLease(cursor.Group, index, channel);
                }

                cursor.NextGroup();
            }

            return null;
        }
    }

    /// <summary>The connect of <paramref name="lease"/> succeeded: the client keeps its slot until the relay ends.</summary>
    public void Connected(ChannelLease lease, TimeSpan took)
    {
        foreach (IConnectObserver observer in Volatile.Read(ref _observers))
        {
            observer.Connected(lease, took);
        }
    }

    /// <summary>
    /// Records a failed connect: gives the slot back, makes the next pick
    /// continue after this channel and, with autodisable, disables it.
    /// Returns true when it was disabled now.
    /// </summary>
    public bool Failed(RouteCursor cursor, ChannelLease lease, ConnectOutcome outcome = ConnectOutcome.Refused, TimeSpan took = default)
    {
        cursor.Release();
        bool disabled;
        lock (_sync)
        {
            cursor.LastFailed = lease.Index;
            disabled = AutoDisable && lease.Channel.Enabled;
            if (disabled)
            {
                lease.Channel.State.AutoDisabled = true;
            }
        }

        foreach (IConnectObserver observer in Volatile.Read(ref _observers))
        {
            observer.Failed(lease, outcome, took);
        }

        return disabled;
    }

    public List<ChannelStatus> Snapshot()
    {
        var rows = new List<ChannelStatus>();
        Snapshot(rows);
        return rows;
    }

    /// <summary>Every channel's status, in group and channel order, into <paramref name="rows"/> (cleared first): a scrape reuses its list.</summary>
    public void Snapshot(List<ChannelStatus> rows)
    {
        rows.Clear();
        lock (_sync)
        {
            for (int g = 0; g < _groups.Length; g++)
            {
                ChannelGroup group = _groups[g];
                for (int c = 0; c < group.Channels.Count; c++)
                {
                    rows.Add(StatusOf(g, group, c));
                }
            }
        }
    }

    private ChannelStatus StatusOf(int groupIndex, ChannelGroup group, int index)
    {
        Channel ch = group.Channels[index];
        return new ChannelStatus(
            groupIndex, group.Type, index, ch.Enabled, ch.EndPoint, ch.Connections, ch.TotalConnections,
            ch.MaxConnections, ch.BytesSent, ch.BytesReceived, ch.State.Health, HealthChecked ? ch.HealthDetails : null)
        {
            Lifetime = ch.Lifetime,
        };
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
            return channel < 0 || channel >= g.Channels.Count ? null : StatusOf(group, g, channel);
        }
    }

    /// <summary>
    /// <c>enable</c> and <c>disable</c>. The operator's word is recorded even
    /// when the channel already looks that way (a <c>disable</c> of a channel
    /// autodisable took out keeps it out once autodisable lets go).
    /// </summary>
    public ControlResult SetEnabled(int group, int channel, bool enabled) =>
        WithChannel(group, channel, ch =>
        {
            bool was = ch.Enabled;
            ch.Enabled = enabled;
            return was == enabled ? ControlResult.Unchanged : ControlResult.Done;
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
            StartHealthOver(ch);
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
            ChannelsChanged();
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
