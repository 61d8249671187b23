using System.Net;

namespace Balance.Discovery;

/// <summary>One address of an SRV record's target: its priority, its weight and where to connect.</summary>
internal readonly record struct SrvTarget(int Priority, int Weight, IPEndPoint EndPoint);

/// <summary>
/// What one lookup found: the targets (empty: nothing usable) and the
/// smallest TTL among the records, or the reason it failed.
/// </summary>
internal sealed record SrvAnswer(IReadOnlyList<SrvTarget> Targets, TimeSpan TimeToLive, string? Error)
{
    public static SrvAnswer Failed(string error) => new(Array.Empty<SrvTarget>(), TimeSpan.Zero, error);

    /// <summary>A lookup that gives no target keeps the last good set, as a failure does.</summary>
    public bool IsUsable => Error is null && Targets.Count > 0;
}
