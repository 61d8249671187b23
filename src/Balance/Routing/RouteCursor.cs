namespace Balance.Routing;

/// <summary>
/// Where the search for a channel stands for one client connection: the group
/// being tried, which channels of it were already tried after a failure, and
/// the channel slot the client holds. Pooled with the connection it serves.
/// </summary>
internal sealed class RouteCursor
{
    private ulong[]? _tried;
    private Channel? _held;

    public RouteCursor(uint clientHash)
    {
        ClientHash = clientHash;
    }

    public uint ClientHash { get; private set; }

    public int Group { get; internal set; }

    /// <summary>Set once a channel of the current group has failed: the next pick continues after it.</summary>
    public int LastFailed { get; internal set; } = -1;

    internal bool InFailover => LastFailed >= 0;

    /// <summary>True while this client holds a slot (counted in <c>c</c>) on a channel.</summary>
    public bool Holds => _held is not null;

    internal bool WasTried(int channel) =>
        _tried is not null && (_tried[channel >> 6] & (1UL << (channel & 63))) != 0;

    internal void MarkTried(int channel)
    {
        _tried ??= new ulong[(Limits.MaxChannels + 63) / 64];
        _tried[channel >> 6] |= 1UL << (channel & 63);
    }

    /// <summary>The table counted a slot on <paramref name="channel"/> for this client.</summary>
    internal void Hold(Channel channel)
    {
        Release();
        _held = channel;
    }

    /// <summary>
    /// Gives the held slot back (<c>c</c> goes down by one): the one place that
    /// does, whether the connect failed or the relay ended; a second call does nothing.
    /// </summary>
    public void Release()
    {
        Channel? held = _held;
        if (held is not null)
        {
            _held = null;
            held.EndConnection();
        }
    }

    /// <summary>Starts over for another client (a pooled cursor); the last one's slot must be released.</summary>
    public void Reset(uint clientHash)
    {
        Release();
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
