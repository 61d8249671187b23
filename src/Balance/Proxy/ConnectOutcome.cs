namespace Balance.Proxy;

/// <summary>Why a connect to a channel did not succeed, as -d reports it.</summary>
internal enum ConnectOutcome
{
    Connected,
    Refused,
    TimedOut,
}
