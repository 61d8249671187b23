using System.Net;

namespace Balance.Routing;

/// <summary>
/// A consistent copy of one channel's state, for <c>show</c> and the metrics
/// outputs. <see cref="Checks"/> is null while health checks are off.
/// </summary>
internal readonly record struct ChannelStatus(
    int Group,
    GroupType Type,
    int Index,
    bool Enabled,
    IPEndPoint EndPoint,
    long Connections,
    long TotalConnections,
    int MaxConnections,
    long BytesSent,
    long BytesReceived,
    ChannelHealth Health = ChannelHealth.Unknown,
    HealthDetails? Checks = null,
    int Weight = Channel.MinWeight)
{
    /// <summary>The counters since start, which <c>reset</c> does not clear (for the metrics).</summary>
    public LifetimeTotals Lifetime { get; init; }
}
