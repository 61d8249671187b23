namespace Balance.Routing;

/// <summary>An ordered list of channels with its distribution scheme and round-robin position.</summary>
internal sealed class ChannelGroup
{
    public GroupType Type { get; set; }

    public List<Channel> Channels { get; } = new();

    /// <summary>Where the next round-robin search starts.</summary>
    public int Current { get; set; }
}
