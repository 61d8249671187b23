namespace Balance.Routing;

/// <summary>
/// Where the search for a channel stands for one client connection: the group
/// being tried and, after a failure, which channels of it were already tried.
/// </summary>
internal sealed class RouteCursor
{
    private ulong[]? _tried;

    public RouteCursor(uint clientHash)
    {
        ClientHash = clientHash;
    }

    public uint ClientHash { get; private set; }

    public int Group { get; internal set; }

    /// <summary>Set once a channel of the current group has failed: the next pick continues after it.</summary>
    public int LastFailed { get; internal set; } = -1;

    internal bool InFailover => LastFailed >= 0;

    internal bool WasTried(int channel) =>
        _tried is not null && (_tried[channel >> 6] & (1UL << (channel & 63))) != 0;

    internal void MarkTried(int channel)
    {
        _tried ??= new ulong[(Limits.MaxChannels + 63) / 64];
        _tried[channel >> 6] |= 1UL << (channel & 63);
    }

    /// <summary>Starts over for another client (a pooled cursor).</summary>
    public void Reset(uint clientHash)
    {
        ClientHash = clientHash;
        Group = 0;
        LastFailed = -1;
        if (_tried is not null)
        {
            Array.Clear(_tried);
        }
    }

    internal void NextGroup()
    {
        Group++;
        LastFailed = -1;
        if (_tried is not null)
        {
            Array.Clear(_tried);
        }
    }
}
