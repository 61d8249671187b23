using Balance.Routing;

namespace Balance.Observability;

/// <summary>
/// One channel's connect outcomes: failures by reason and a histogram of how
/// long successful connects took. Written by relay threads with interlocked
/// adds only (no lock, no allocation); read by scrapes, which may see one
/// connect counted in the buckets and not yet in the sum, never a count going back.
/// </summary>
internal sealed class ConnectStats
{
    /// <summary>The reasons of <c>balance_channel_connect_failures_total</c>, in label order.</summary>
    public static readonly string[] FailureReasons = ["refused", "timeout", "unreachable", "other"];

    /// <summary>
    /// Upper bounds of the connect-time buckets, in seconds: a connect on
    /// loopback takes some 50 µs, across a LAN well under a millisecond, a
    /// busy or distant backend tens of milliseconds, and the connect timeout
    /// (-t, 5 s by default) ends the scale.
    /// </summary>
    public static readonly double[] BucketBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private static readonly long[] BoundTicks = BucketBounds.Select(s => (long)Math.Round(s * TimeSpan.TicksPerSecond)).ToArray();

    private readonly long[] _failures = new long[FailureReasons.Length];

    // One more bucket than bounds: connects slower than the last bound (+Inf only).
    private readonly long[] _buckets = new long[BucketBounds.Length + 1];
    private long _sumTicks;

    public void Connected(TimeSpan took)
    {
        long ticks = Math.Max(0, took.Ticks);
        int bucket = 0;
        while (bucket < BoundTicks.Length && ticks > BoundTicks[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Add(ref _sumTicks, ticks);
    }

    public void Failed(ConnectOutcome outcome)
    {
        int reason = outcome switch
        {
            ConnectOutcome.Refused => 0,
            ConnectOutcome.TimedOut => 1,
            ConnectOutcome.Unreachable => 2,
            ConnectOutcome.Other => 3,
            _ => -1, // a local shortage is not the channel's failure, and never reaches observers
        };
        if (reason >= 0)
        {
            Interlocked.Increment(ref _failures[reason]);
        }
    }

    public long Failures(int reason) => Interlocked.Read(ref _failures[reason]);

    /// <summary>
    /// Fills <paramref name="cumulative"/> (one more than <see cref="BucketBounds"/>)
    /// with the connects that took at most each bound; the last is +Inf, the count.
    /// </summary>
    public void ReadCumulative(Span<long> cumulative)
    {
        long count = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            count += Interlocked.Read(ref _buckets[i]);
            cumulative[i] = count;
        }
    }

    public double SumSeconds => Interlocked.Read(ref _sumTicks) / (double)TimeSpan.TicksPerSecond;
}
