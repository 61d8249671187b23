using Balance.Routing;

namespace Balance.Observability;

/// <summary>
/// Hangs on the routing table's connect observers and keeps one
/// <see cref="ConnectStats"/> per channel, found by group and index (channels
/// are only ever appended, so the pair names one channel for good). The
/// stats of channels known at start are made up front; one created later
/// gets its own on its first connect, once.
/// </summary>
internal sealed class ConnectMetrics : IConnectObserver
{
    private readonly ConnectStats?[]?[] _groups = new ConnectStats?[]?[Limits.MaxGroups];

    public ConnectMetrics(IEnumerable<ChannelStatus> channels)
    {
        foreach (ChannelStatus row in channels)
        {
            _ = For(row.Group, row.Index);
        }
    }

    public void Connected(ChannelLease lease, TimeSpan took) => For(lease.Group, lease.Index).Connected(took);

    public void Failed(ChannelLease lease, ConnectOutcome outcome, TimeSpan took) => For(lease.Group, lease.Index).Failed(outcome);

    /// <summary>The stats of a channel, or null when it has had none yet (scrapes write zeros then).</summary>
    public ConnectStats? Find(int group, int index) =>
        (uint)group < (uint)_groups.Length && Volatile.Read(ref _groups[group]) is { } channels && (uint)index < (uint)channels.Length
            ? Volatile.Read(ref channels[index])
            : null;

    private ConnectStats For(int group, int index)
    {
        ConnectStats?[] channels = Volatile.Read(ref _groups[group])
            ?? Interlocked.CompareExchange(ref _groups[group], new ConnectStats?[Limits.MaxChannels], null)
            ?? _groups[group]!;
        return Volatile.Read(ref channels[index])
            ?? Interlocked.CompareExchange(ref channels[index], new ConnectStats(), null)
            ?? channels[index]!;
    }
}
