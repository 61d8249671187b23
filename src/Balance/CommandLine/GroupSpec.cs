using Balance.Routing;

namespace Balance.CommandLine;

/// <summary>One channel group as written on the command line.</summary>
internal sealed record GroupSpec(GroupType Type, IReadOnlyList<ChannelSpec> Channels);
