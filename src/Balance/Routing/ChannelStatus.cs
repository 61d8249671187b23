using System.Net;

namespace Balance.Routing;

/// <summary>A consistent copy of one channel's state, for <c>show</c> and the metrics outputs.</summary>
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
    int Weight = Channel.MinWeight);
