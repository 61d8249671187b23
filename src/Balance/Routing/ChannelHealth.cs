namespace Balance.Routing;

/// <summary>What health checks last concluded about a channel; <see cref="Unknown"/> while none run.</summary>
internal enum ChannelHealth
{
    Unknown,
    Up,
    Down,
}
