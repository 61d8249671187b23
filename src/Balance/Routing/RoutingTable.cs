using System.Net;

namespace Balance.Routing;

/// <summary>
/// Groups, channels and counters of one instance: the only state the proxy and
/// the control server share. Choice and changes run under one lock (they are
/// short and rare next to relaying); byte and connection counters are lock-free.
/// The control operations are in RoutingTable.Changes.cs.
/// </summary>
internal sealed partial class RoutingTable
{
    private readonly object _sync = new();
    private readonly ChannelGroup[] _groups;
    private IConnectObserver[] _observers = [];
    private IClientQueue? _queue;

    /// <param name="hashType">What "%" and the control command <c>hash</c> make: <see cref="GroupType.Hash"/> (the default) or <see cref="GroupType.ModuloHash"/>.</param>
    public RoutingTable(IReadOnlyList<ChannelGroup> groups, bool hashFailover = false, bool autoDisable = false, GroupType? hashType = null)
    {
        if (groups.Count > Limits.MaxGroups)
        {
            throw new ArgumentException("too many groups", nameof(groups));
        }

        HashType = hashType ?? GroupType.Hash;
        _groups = new ChannelGroup[Limits.MaxGroups];
        for (int i = 0; i < _groups.Length; i++)
        {
            ChannelGroup group = i < groups.Count ? groups[i] : new ChannelGroup();
            if (group.Type == GroupType.Hash && HashType != GroupType.Hash)
            {
                group.Type = HashType;
            }

            group.Policy.Rebuild(group.Describe());
            _groups[i] = group;
        }

        Rules = new RouteRules(hashFailover, autoDisable);
    }

    public RouteRules Rules { get; }

    /// <summary>The type a hash group gets here (--hash-type).</summary>
    public GroupType HashType { get; }

    /// <summary>The queue at maxc, when there is one (--queue).</summary>
    public QueueStatus? QueueStatus => Volatile.Read(ref _queue)?.Status;

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

    /// <summary>Lets waiting clients take slots as they come free (at start-up, before traffic).</summary>
    public void AttachQueue(IClientQueue queue) => Volatile.Write(ref _queue, queue);

    /// <summary>
    /// A client gives its slot on <paramref name="channel"/> back
    /// (<see cref="RouteCursor.Release"/>). Without waiting clients that is
    /// one decrement and one field read; with some, the oldest that can use
    /// the slot gets it, handed out together with the release.
    /// </summary>
    internal void SlotReleased(Channel channel)
    {
        IClientQueue? queue = _queue;
        if (queue is null)
        {
            channel.EndConnection();
        }
        else if (queue.HasWaiting)
        {
            queue.Serve(1, channel);
        }
        else
        {
            channel.EndConnection();
            if (queue.HasWaiting)
            {
                queue.Serve(1); // a client joined the queue meanwhile (it looks for a slot itself too)
            }
        }
    }

    /// <summary>
    /// Runs the queue's hand-out under the routing lock, after giving back
    /// <paramref name="released"/>'s slot, so that no other pick comes in
    /// between. No allocation: the state travels by value to a static delegate.
    /// </summary>
    internal void HandOut<TState>(Channel? released, TState state, Action<TState> handOut)
    {
        lock (_sync)
        {
            released?.EndConnection();
            handOut(state);
        }
    }

    /// <summary>
    /// Slots may have come free by a change (a channel enabled, a maxc
    /// raised, a group's type changed; a health check finding a channel up
    /// calls it too): waiting clients take all they can. Never under the lock.
    /// </summary>
    internal void ServeQueue()
    {
        IClientQueue? queue = Volatile.Read(ref _queue);
        if (queue is not null && queue.HasWaiting)
        {
            queue.Serve(int.MaxValue);
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
                    cursor.Hold(channel, this);
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
    /// Records a failed connect: makes the next pick continue after this
    /// channel, with autodisable disables it, then gives the slot back (so a
    /// waiting client never gets a slot on a channel just disabled).
    /// Returns true when it was disabled now.
    /// </summary>
    public bool Failed(RouteCursor cursor, ChannelLease lease, ConnectOutcome outcome = ConnectOutcome.Refused, TimeSpan took = default)
    {
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

        cursor.Release();

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
            ch.MaxConnections, ch.BytesSent, ch.BytesReceived, ch.State.Health, HealthChecked ? ch.HealthDetails : null, ch.Weight)
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
}
