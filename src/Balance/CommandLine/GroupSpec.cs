using Balance.Routing;

namespace Balance.CommandLine;

/// <summary>One channel group as written on the command line.</summary>
internal sealed record GroupSpec(GroupType Type, IReadOnlyList<ChannelSpec> Channels)
{
    /// <summary>The <c>srv:</c> arguments of the group: channels that come and go with DNS.</summary>
    public IReadOnlyList<SrvSpec> Services { get; init; } = Array.Empty<SrvSpec>();
}
