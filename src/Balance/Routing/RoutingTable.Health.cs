using System.Net;

namespace Balance.Routing;

/// <summary>
/// The table's side of health checks: the list of channels to check, a
/// version that says when that list changed (<c>create</c>, <c>assign</c>),
/// and the verdicts, recorded under the same lock as every other state change.
/// </summary>
internal sealed partial class RoutingTable
{
    private int _layoutVersion;

    /// <summary>Health checks run (--check): snapshots carry every channel's <see cref="HealthDetails"/>. Set before traffic.</summary>
    public bool HealthChecked { get; set; }

    /// <summary>Goes up when a channel is added or pointed elsewhere: health checks read the channels again then.</summary>
    public int LayoutVersion => Volatile.Read(ref _layoutVersion);

    /// <summary>Every channel with its group and number, in order.</summary>
    public List<(int Group, int Index, Channel Channel)> Channels()
    {
        var all = new List<(int, int, Channel)>();
        lock (_sync)
        {
            for (int g = 0; g < _groups.Length; g++)
            {
                List<Channel> channels = _groups[g].Channels;
                for (int c = 0; c < channels.Count; c++)
                {
                    all.Add((g, c, channels[c]));
                }
            }
        }

        return all;
    }

    /// <summary>
    /// Records what checks of <paramref name="checkedEndPoint"/> concluded, unless
    /// <c>assign</c> has pointed the channel elsewhere since (then nothing
    /// changes and the result is false). With <paramref name="endAutoDisable"/>
    /// the disable -a set is lifted, never the operator's;
    /// <paramref name="autoEnabled"/> tells whether it was.
    /// </summary>
    public bool RecordHealth(
        Channel channel, IPEndPoint checkedEndPoint, ChannelHealth health, HealthDetails details, bool endAutoDisable, out bool autoEnabled)
    {
        bool cameBack;
        lock (_sync)
        {
            autoEnabled = false;
            if (!ReferenceEquals(channel.EndPoint, checkedEndPoint))
            {
                return false;
            }

            cameBack = channel.State.Health == ChannelHealth.Down && health != ChannelHealth.Down;
            channel.State.Health = health;
            channel.HealthDetails = details;
            if (endAutoDisable && channel.State.AutoDisabled)
            {
                channel.State.AutoDisabled = false;
                autoEnabled = true;
            }
        }

        // A channel back in service has free slots for clients waiting at maxc.
        if (cameBack || autoEnabled)
        {
            ServeQueue();
        }

        return true;
    }

    /// <summary>A channel pointed at a new address knows nothing of its health yet (called under the lock).</summary>
    private void StartHealthOver(Channel channel)
    {
        channel.State.Health = ChannelHealth.Unknown;
        channel.HealthDetails = default;
        ChannelsChanged();
    }

    private void ChannelsChanged() => Interlocked.Increment(ref _layoutVersion);
}
