namespace Balance.Proxy.Linux;

/// <summary>
/// One direction of a relayed pair: where bytes come from and go to, and what
/// is still owed to the destination (a rented buffer after a partial write, or
/// bytes in the splice pipe).
/// </summary>
internal sealed class RelayDirection
{
    public RelayDirection(bool clientToChannel)
    {
        ClientToChannel = clientToChannel;
    }

    public bool ClientToChannel { get; }

    public int Source { get; set; } = -1;

    public int Destination { get; set; } = -1;

    /// <summary>Bytes read but not yet written: only set while the destination is slow.</summary>
    public byte[]? Pending { get; set; }

    public int PendingOffset { get; set; }

    public int PendingCount { get; set; }

    /// <summary>Splice pipe (read end, write end), -1 while this direction copies.</summary>
    public int PipeRead { get; set; } = -1;

    public int PipeWrite { get; set; } = -1;

    public int PipeBytes { get; set; }

    public bool Splicing => PipeWrite >= 0;

    /// <summary>The source sent its FIN.</summary>
    public bool SourceEnded { get; set; }

    /// <summary>The FIN was passed on to the destination: nothing more flows this way.</summary>
    public bool Finished { get; set; }

    public bool HasBacklog => PendingCount > 0 || PipeBytes > 0;

    public bool WantsRead => !SourceEnded && !HasBacklog;

    /// <summary>Forgets the last connection (its buffer and pipe were already given back).</summary>
    public void Reset()
    {
        Source = Destination = PipeRead = PipeWrite = -1;
        Pending = null;
        PendingOffset = PendingCount = PipeBytes = 0;
        SourceEnded = Finished = false;
    }
}
