namespace Balance.Proxy;

/// <summary>Accepts and relays until stopped: the event-loop engine on Linux, the socket engine elsewhere.</summary>
internal interface IProxyEngine : IDisposable
{
    /// <summary>Relayed connections in flight (approximate while traffic flows).</summary>
    int ActiveRelays { get; }

    /// <summary>Completes once the engine has stopped and closed every relay.</summary>
    Task RunAsync();

    /// <summary>
    /// Closes the listener at once and lets relays in flight finish for up to
    /// <paramref name="grace"/>, then ends them. Safe from any thread, more than once.
    /// </summary>
    void Stop(TimeSpan grace);

    /// <summary>Closes the listener and every relay now.</summary>
    void StopNow();
}
