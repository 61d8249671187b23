namespace Balance.Routing;

/// <summary>A channel's <c>totalc</c>, <c>sent</c> and <c>rcvd</c> since start: what Prometheus counters report.</summary>
internal readonly record struct LifetimeTotals(long Connections, long BytesSent, long BytesReceived);
