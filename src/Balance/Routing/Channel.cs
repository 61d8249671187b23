using System.Net;

namespace Balance.Routing;

/// <summary>
/// One destination (host and port) with its state and counters. Counters are
/// updated with interlocked operations so the relay never takes a lock; the
/// state changes under the routing table's lock.
/// </summary>
internal sealed class Channel
{
    private long _connections;
    private long _totalConnections;
    private long _bytesSent;
    private long _bytesReceived;

    // What reset took away from the counters above. Changed only under the
    // routing table's lock, so a snapshot taken there sees counter and offset
    // in step; the relay never touches them.
    private long _totalConnectionsBefore;
    private long _bytesSentBefore;
    private long _bytesReceivedBefore;
    private ChannelState _state;

    public const int MinWeight = 1;
    public const int MaxWeight = 1000;

    public Channel(IPEndPoint endPoint, int maxConnections, bool enabled = true, int weight = MinWeight)
    {
        EndPoint = endPoint;
        MaxConnections = maxConnections;
        Weight = weight;
        Joined = enabled;
        _state = new ChannelState(enabled);
    }

    /// <summary>The address connections go to; replaced only while disabled (<c>assign</c>).</summary>
    public IPEndPoint EndPoint { get; set; }

    /// <summary>0 means unlimited.</summary>
    public int MaxConnections { get; set; }

    /// <summary>
    /// Its share relative to the group's other channels (1 to 1000, default
    /// 1): turns in a round-robin group, connections in a least-connections
    /// group, table slots in a hash group. Changed through the routing table,
    /// which rebuilds what the group's policy precomputes.
    /// </summary>
    public int Weight { get; set; }

    /// <summary>
    /// Part of the group's hash table. Channels of the command line are from
    /// the start; one made by <c>create</c> (disabled) joins when it is first
    /// enabled, so creating it moves no client. Disabling a joined channel
    /// does not take it out: its clients go elsewhere at lookup, and come back.
    /// </summary>
    public bool Joined { get; set; }

    /// <summary>The operator's, autodisable's and health checks' say, kept apart.</summary>
    public ref ChannelState State => ref _state;

    /// <summary>The checks behind <see cref="ChannelState.Health"/>; changed under the table's lock.</summary>
    public HealthDetails HealthDetails { get; set; }

    /// <summary>
    /// <c>show</c>'s ENA/dis. Setting it is what <c>enable</c> and
    /// <c>disable</c> do (see <see cref="ChannelState.SetByOperator"/>).
    /// </summary>
    public bool Enabled
    {
        get => _state.Enabled;
        set => _state.SetByOperator(value);
    }

    /// <summary>Current connections (<c>c</c>).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Every attempt on this channel, failed or not (<c>totalc</c>).</summary>
    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    /// <summary>Bytes from client to channel.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes from channel to client.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>
    /// <c>totalc</c>, <c>sent</c> and <c>rcvd</c> since start, which
    /// <c>reset</c> does not clear (the metrics' counters must never go back).
    /// Read under the routing table's lock.
    /// </summary>
    public LifetimeTotals Lifetime => new(
        _totalConnectionsBefore + TotalConnections, _bytesSentBefore + BytesSent, _bytesReceivedBefore + BytesReceived);

    public bool IsFull => MaxConnections > 0 && Connections >= MaxConnections;

    /// <summary>A new connection may be sent here: routable and below maxc.</summary>
    public bool IsUsable => _state.Routable && !IsFull;

    internal void BeginAttempt()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _totalConnections);
    }

    /// <summary>Gives a connection slot back; <see cref="RouteCursor.Release"/> is the one caller that owns a slot.</summary>
    public void EndConnection() => Interlocked.Decrement(ref _connections);

    public void AddSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    public void AddReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    /// <summary>
    /// The control command <c>reset</c>: zeroes what <c>show</c> prints and
    /// moves it into the lifetime offsets (under the routing table's lock), so
    /// bytes counted meanwhile land on one side or the other, never both or neither.
    /// </summary>
    public void ResetCounters()
    {
        _totalConnectionsBefore += Interlocked.Exchange(ref _totalConnections, 0);
        _bytesSentBefore += Interlocked.Exchange(ref _bytesSent, 0);
        _bytesReceivedBefore += Interlocked.Exchange(ref _bytesReceived, 0);
    }
}
