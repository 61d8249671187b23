namespace Balance.Routing;

/// <summary>
/// Clients waiting for a channel slot (the queue at maxc, --queue). The
/// routing table tells it whenever slots may have come free: a connection
/// gave its slot back, a channel was enabled, a maxc raised, a group's type
/// changed. It hands slots to its clients in order through
/// <see cref="RoutingTable.Next"/>; a slot a connection gives back while
/// clients wait is handed out under the routing lock together with its
/// release, so no client that arrives later can take it first.
/// </summary>
internal interface IClientQueue
{
    /// <summary>True while a client waits: read on every slot release, so it is one field read.</summary>
    bool HasWaiting { get; }

    /// <summary>
    /// Gives up to <paramref name="slots"/> slots to waiting clients, oldest
    /// first (each takes the channel its own walk finds), after giving back
    /// the slot <paramref name="released"/> held, if any. Never called with
    /// the table's lock held.
    /// </summary>
    void Serve(int slots, Channel? released = null);

    QueueStatus Status { get; }
}

/// <summary>The queue at maxc as <c>show json</c> reports it.</summary>
/// <param name="Waiting">Clients waiting now.</param>
/// <param name="Limit">--queue.</param>
/// <param name="Served">Clients that got a slot after waiting.</param>
/// <param name="TimedOut">Clients closed after waiting --queue-timeout.</param>
/// <param name="TurnedAway">Clients closed at once because the queue was full.</param>
internal readonly record struct QueueStatus(int Waiting, int Limit, long Served, long TimedOut, long TurnedAway);
