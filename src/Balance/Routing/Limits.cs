namespace Balance.Routing;

/// <summary>Compile-time limits, reported by the control command <c>version</c>.</summary>
internal static class Limits
{
    public const int MaxGroups = 64;
    public const int MaxChannels = 256;
}
