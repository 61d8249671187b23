using System.Net;

namespace Balance.Routing;

/// <summary>One channel of a group as a policy precomputes from it: where it goes, its weight, whether it joined the hash table.</summary>
internal readonly record struct PolicyChannel(int Index, IPEndPoint EndPoint, int Weight, bool Joined);
