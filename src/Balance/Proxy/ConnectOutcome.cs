namespace Balance.Proxy;

/// <summary>Why a connect to a channel did not succeed, as -d reports it.</summary>
internal enum ConnectOutcome
{
    Connected,
    Refused,
    TimedOut,

    /// <summary>No socket could be opened here (out of descriptors): not the channel's fault.</summary>
    LocalFailure,
}
