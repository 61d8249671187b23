namespace Balance.Control;

/// <summary>What trying one control socket gave.</summary>
internal enum ConnectStatus
{
    Ready,

    /// <summary>No socket, a stale one, or nothing that answers like balance.</summary>
    Absent,

    /// <summary>The socket's permissions or the instance refused this user.</summary>
    Denied,

    /// <summary>The instance has too many control clients right now.</summary>
    Busy,
}
