using System.Net;

namespace Balance.Routing;

/// <summary>
/// The control operations on the table. A change that alters what a group's
/// policy precomputes (a channel created, reassigned, weighted, joined) takes
/// the change lock, makes the change and copies the group's channels under
/// the table's lock, then rebuilds the policy outside it: relays keep picking
/// channels (on the old table) while a hash table is rebuilt. A change that
/// may free slots lets waiting clients take them, after every lock is let go.
/// </summary>
internal sealed partial class RoutingTable
{
    /// <summary>One change with a rebuild at a time, so rebuilds land in the order of their changes.</summary>
    private readonly object _changeSync = new();

    /// <summary>
    /// <c>enable</c> and <c>disable</c>. The operator's word is recorded even
    /// when the channel already looks that way (a <c>disable</c> of a channel
    /// autodisable took out keeps it out once autodisable lets go). The first
    /// <c>enable</c> of a created channel makes it join the group's hash table.
    /// </summary>
    public ControlResult SetEnabled(int group, int channel, bool enabled)
    {
        ControlResult result;
        lock (_changeSync)
        {
            bool joined = false;
            result = WithChannel(group, channel, ch =>
            {
                bool was = ch.Enabled;
                ch.Enabled = enabled;
                if (enabled && !ch.Joined)
                {
                    ch.Joined = joined = true;
                }

                return was == enabled ? ControlResult.Unchanged : ControlResult.Done;
            });
            if (joined)
            {
                RebuildPolicy(group);
            }
        }

        if (enabled)
        {
            ServeQueue();
        }

        return result;
    }

    public ControlResult SetMaxConnections(int group, int channel, int maxConnections)
    {
        ControlResult result = WithChannel(group, channel, ch =>
        {
            ch.MaxConnections = maxConnections;
            return ControlResult.Done;
        });
        ServeQueue();
        return result;
    }

    /// <summary>The control command <c>weight</c>: <paramref name="weight"/> must be 1 to 1000.</summary>
    public ControlResult SetWeight(int group, int channel, int weight)
    {
        if (weight is < Channel.MinWeight or > Channel.MaxWeight)
        {
            throw new ArgumentOutOfRangeException(nameof(weight));
        }

        lock (_changeSync)
        {
            ControlResult result = WithChannel(group, channel, ch =>
            {
                ch.Weight = weight;
                return ControlResult.Done;
            });
            if (result == ControlResult.Done)
            {
                RebuildPolicy(group);
            }

            return result;
        }
    }

    public ControlResult ResetCounters(int group, int channel) =>
        WithChannel(group, channel, ch =>
        {
            ch.ResetCounters();
            return ControlResult.Done;
        });

    public ControlResult Assign(int group, int channel, IPEndPoint endPoint)
    {
        lock (_changeSync)
        {
            ControlResult result = WithChannel(group, channel, ch =>
            {
                if (ch.Enabled)
                {
                    return ControlResult.MustBeDisabled;
                }

                ch.EndPoint = endPoint;
                StartHealthOver(ch);
                return ControlResult.Done;
            });
            if (result == ControlResult.Done)
            {
                RebuildPolicy(group);
            }

            return result;
        }
    }

    /// <summary>Appends a channel, disabled and not joined, to a group (the control command <c>create</c>).</summary>
    public ControlResult Create(int group, IPEndPoint endPoint)
    {
        if (!IsValidGroup(group))
        {
            return ControlResult.NoSuchGroup;
        }

        lock (_changeSync)
        {
            lock (_sync)
            {
                List<Channel> channels = _groups[group].Channels;
                if (channels.Count >= Limits.MaxChannels)
                {
                    return ControlResult.NoSlots;
                }

                channels.Add(new Channel(endPoint, maxConnections: 0, enabled: false));
                ChannelsChanged();
            }

            RebuildPolicy(group);
            return ControlResult.Done;
        }
    }

    /// <summary>The control commands <c>rr</c>, <c>hash</c> and <c>leastconn</c>; a hash group gets <see cref="HashType"/>.</summary>
    public ControlResult SetType(int group, GroupType type)
    {
        if (!IsValidGroup(group))
        {
            return ControlResult.NoSuchGroup;
        }

        if (type == GroupType.Hash)
        {
            type = HashType;
        }

        lock (_changeSync)
        {
            IChannelPolicy policy = type.CreatePolicy();
            PolicyChannel[] channels;
            lock (_sync)
            {
                channels = _groups[group].Describe();
            }

            policy.Rebuild(channels);
            lock (_sync)
            {
                _groups[group].Use(type, policy);
            }
        }

        ServeQueue();
        return ControlResult.Done;
    }

    /// <summary>Rebuilds a group's policy from its channels as they are now; the caller holds the change lock.</summary>
    private void RebuildPolicy(int group)
    {
        PolicyChannel[] channels;
        IChannelPolicy policy;
        lock (_sync)
        {
            ChannelGroup g = _groups[group];
            channels = g.Describe();
            policy = g.Policy;
        }

        policy.Rebuild(channels);
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
