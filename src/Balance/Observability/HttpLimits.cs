namespace Balance.Observability;

/// <summary>
/// What one HTTP client may cost: a slow, stuck or hostile client is cut off
/// at these bounds, so together they cap the server's memory and descriptors
/// (<see cref="MaxConnections"/> × <see cref="MaxHeadBytes"/> of buffers).
/// </summary>
internal sealed record HttpLimits
{
    /// <summary>Request line and headers together; Prometheus and browsers send well under 2 KiB.</summary>
    public int MaxHeadBytes { get; init; } = 8 * 1024;

    /// <summary>The whole request head must arrive within this: a client trickling bytes (slowloris) is closed then.</summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Answering, once the head is in: a client that does not read its answer is closed then.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections served at once; more are answered 503 and closed straight away.</summary>
    public int MaxConnections { get; init; } = 64;
}
