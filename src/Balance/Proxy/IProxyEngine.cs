namespace Balance.Proxy;

/// <summary>Accepts and relays until stopped: the event-loop engine on Linux, the socket engine elsewhere.</summary>
internal interface IProxyEngine : IDisposable
{
    /// <summary>Relayed connections in flight (approximate while traffic flows).</summary>
    int ActiveRelays { get; }

    /// <summary>Completes once the engine has stopped and closed every relay.</summary>
    Task RunAsync();

    /// <summary>Safe from any thread, more than once.</summary>
    void Stop();
}
