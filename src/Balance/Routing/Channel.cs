using System.Net;

namespace Balance.Routing;

/// <summary>
/// One destination (host and port) with its state and counters. Counters are
/// updated with interlocked operations so the relay never takes a lock.
/// </summary>
internal sealed class Channel
{
    private long _connections;
    private long _totalConnections;
    private long _bytesSent;
    private long _bytesReceived;

    public Channel(IPEndPoint endPoint, int maxConnections, bool enabled = true)
    {
        EndPoint = endPoint;
        MaxConnections = maxConnections;
        Enabled = enabled;
    }

    /// <summary>The address connections go to; replaced only while disabled (<c>assign</c>).</summary>
    public IPEndPoint EndPoint { get; set; }

    /// <summary>0 means unlimited.</summary>
    public int MaxConnections { get; set; }

    public bool Enabled { get; set; }

    /// <summary>Current connections (<c>c</c>).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Every attempt on this channel, failed or not (<c>totalc</c>).</summary>
    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    /// <summary>Bytes from client to channel.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes from channel to client.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public bool IsFull => MaxConnections > 0 && Connections >= MaxConnections;

    public bool IsUsable => Enabled && !IsFull;

    internal void BeginAttempt()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _totalConnections);
    }

    public void EndConnection() => Interlocked.Decrement(ref _connections);

    public void AddSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    public void AddReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    public void ResetCounters()
    {
        Interlocked.Exchange(ref _totalConnections, 0);
        Interlocked.Exchange(ref _bytesSent, 0);
        Interlocked.Exchange(ref _bytesReceived, 0);
    }
}
