namespace Balance.Routing;

/// <summary>How a group picks a channel: in turn, or by the client's address.</summary>
internal enum GroupType
{
    RoundRobin,
    Hash,
}
