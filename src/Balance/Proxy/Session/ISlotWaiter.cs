namespace Balance.Proxy.Session;

/// <summary>
/// An engine's side of a client waiting in the <see cref="ClientQueue"/>:
/// told that the client got a slot. Called on whatever thread freed the slot,
/// under the queue's lock: it only hands the client back to the thread that
/// owns it (the epoll engine: the pair's own loop, through its eventfd; the
/// sockets engine: a task the session awaits) and returns.
/// </summary>
internal interface ISlotWaiter
{
    void SlotGranted();
}
