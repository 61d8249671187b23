namespace Balance.ConnectionLog;

/// <summary>Why a client's connection ended, as --log-connections tells it.</summary>
internal enum EndReason : byte
{
    /// <summary>Both sides closed; the client's FIN came first.</summary>
    ClientClosed,

    /// <summary>Both sides closed; the backend's FIN came first.</summary>
    BackendClosed,

    /// <summary>-T: nothing moved for that long.</summary>
    IdleTimeout,

    /// <summary>--fin-timeout: half-closed and silent for that long.</summary>
    HalfCloseTimeout,

    /// <summary>A reset or a failed read or write on either side.</summary>
    Reset,

    /// <summary>No channel could take the client (every connect failed, or none was usable).</summary>
    AllChannelsFailed,

    /// <summary>--queue-timeout: no slot came while the client waited.</summary>
    QueueTimeout,

    /// <summary>balance stopped (a second signal, or the grace period ran out).</summary>
    Shutdown,
}

/// <summary>The names of <see cref="EndReason"/> in the connection log.</summary>
internal static class EndReasonNames
{
    public static string Of(EndReason reason) => reason switch
    {
        EndReason.ClientClosed => "client-closed",
        EndReason.BackendClosed => "backend-closed",
        EndReason.IdleTimeout => "idle-timeout",
        EndReason.HalfCloseTimeout => "fin-timeout",
        EndReason.Reset => "reset",
        EndReason.AllChannelsFailed => "no-channel",
        EndReason.QueueTimeout => "queue-timeout",
        _ => "shutdown",
    };
}
