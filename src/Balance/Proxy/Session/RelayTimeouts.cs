namespace Balance.Proxy.Session;

/// <summary>
/// When a relayed connection that moves no byte is closed: after
/// <see cref="IdleMs"/> in any case (-T), after <see cref="HalfClosedMs"/>
/// once one side has sent its FIN (--fin-timeout, as HAProxy's
/// <c>timeout client-fin</c>/<c>server-fin</c>). Zero turns either off.
/// Both engines sweep their relays with this one rule.
/// </summary>
internal readonly record struct RelayTimeouts(long IdleMs, long HalfClosedMs)
{
    /// <summary>The sweep looks this often: a quarter of the shortest limit, within 50 ms to 1 s.</summary>
    public long SweepPeriodMs
    {
        get
        {
            long shortest = Math.Min(IdleMs > 0 ? IdleMs : long.MaxValue, HalfClosedMs > 0 ? HalfClosedMs : long.MaxValue);
            return shortest == long.MaxValue ? 0 : Math.Clamp(shortest / 4, 50, 1000);
        }
    }

    public bool Enabled => IdleMs > 0 || HalfClosedMs > 0;

    /// <param name="quietMs">How long no byte has moved either way.</param>
    /// <param name="halfClosed">One side has sent its FIN.</param>
    public bool Expired(long quietMs, bool halfClosed) =>
        (IdleMs > 0 && quietMs >= IdleMs) || (halfClosed && HalfClosedMs > 0 && quietMs >= HalfClosedMs);
}
