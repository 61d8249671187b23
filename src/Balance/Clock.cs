namespace Balance;

/// <summary>
/// Time as the proxy reads it: milliseconds of a monotonic clock, through a
/// <see cref="TimeProvider"/> so that tests can advance time instead of
/// sleeping (connect deadlines, -T, --fin-timeout, health intervals).
/// </summary>
internal static class Clock
{
    public static long Milliseconds(this TimeProvider time) =>
        (long)(time.GetTimestamp() * (1000.0 / time.TimestampFrequency));
}
