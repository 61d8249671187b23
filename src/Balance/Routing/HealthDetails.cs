namespace Balance.Routing;

/// <summary>
/// What health checks found about a channel besides their verdict
/// (<see cref="ChannelState.Health"/>): the run of passed or failed checks,
/// the last check, when the verdict last changed. Kept by the table with the
/// channel, so that <c>show json</c> reads one consistent copy.
/// </summary>
/// <param name="Successes">Consecutive checks passed (0 after a failure).</param>
/// <param name="Failures">Consecutive checks failed, client connects counted (0 after a pass).</param>
/// <param name="LastCheck">"passed", or why the last check failed; null before the first.</param>
/// <param name="LastCheckMilliseconds">How long the last active check took; null before the first.</param>
/// <param name="LastChange">When the verdict last changed; null while it has not.</param>
internal readonly record struct HealthDetails(
    int Successes,
    int Failures,
    string? LastCheck,
    double? LastCheckMilliseconds,
    DateTimeOffset? LastChange);
