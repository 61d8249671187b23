namespace Balance.Routing;

/// <summary>
/// Where the search for a channel stands for one client connection: the group
/// being tried, which channels of it were already tried after a failure, the
/// channel slot the client holds, and whether a channel was passed over only
/// because it was full (such a client may wait in the queue at maxc). Pooled
/// with the connection it serves.
/// </summary>
internal sealed class RouteCursor
{
    private ulong[]? _tried;
    private Channel? _held;
    private RoutingTable? _table;

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

    /// <summary>
    /// A channel this client's policy would have taken was passed over only
    /// because it had reached its maxc (enabled, not down, not tried): a slot
    /// there may free up, so the client may wait for one.
    /// </summary>
    public bool SawFull { get; internal set; }

    internal bool WasTried(int channel) =>
        _tried is not null && (_tried[channel >> 6] & (1UL << (channel & 63))) != 0;

    internal void MarkTried(int channel)
    {
        _tried ??= new ulong[(Limits.MaxChannels + 63) / 64];
        _tried[channel >> 6] |= 1UL << (channel & 63);
    }

    /// <summary>The table counted a slot on <paramref name="channel"/> for this client.</summary>
    internal void Hold(Channel channel, RoutingTable? table = null)
    {
        // Nothing is held here: a failed connect released its slot before the next pick.
        _held?.EndConnection();
        _held = channel;
        _table = table;
    }

    /// <summary>
    /// Gives the held slot back (<c>c</c> goes down by one): the one place that
    /// does, whether the connect failed or the relay ended; a second call does
    /// nothing. The table takes it back, so a client waiting for a slot gets it.
    /// </summary>
    public void Release()
    {
        Channel? held = _held;
        if (held is not null)
        {
            _held = null;
            if (_table is null)
            {
                held.EndConnection();
            }
            else
            {
                _table.SlotReleased(held);
            }
        }
    }

    /// <summary>Starts over for another client (a pooled cursor); the last one's slot must be released.</summary>
    public void Reset(uint clientHash)
    {
        Release();
        ClientHash = clientHash;
        Restart();
    }

    /// <summary>The same client walks again from group 0 (it waited in the queue for a slot).</summary>
    internal void Restart()
    {
        Group = 0;
        LastFailed = -1;
        SawFull = false;
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
