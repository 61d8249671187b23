namespace Balance.Routing;

/// <summary>A channel picked for one connection; its <c>c</c> and <c>totalc</c> are already counted.</summary>
internal readonly record struct ChannelLease(int Group, int Index, Channel Channel);
