namespace Balance.Routing;

/// <summary>How a connect to a channel ended.</summary>
internal enum ConnectOutcome
{
    Connected,
    Refused,
    TimedOut,

    /// <summary>No route to the channel's network or host.</summary>
    Unreachable,

    /// <summary>Any other error the channel answered with.</summary>
    Other,

    /// <summary>No socket could be opened here (out of descriptors or memory): not the channel's fault.</summary>
    LocalFailure,
}
