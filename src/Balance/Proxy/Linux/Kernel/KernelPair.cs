using Balance.Proxy.Session;

namespace Balance.Proxy.Linux.Kernel;

/// <summary>
/// A relayed pair's stay in the kernel relay: how it enters (both sockets
/// into the sockmap, then armed), whether the bytes the kernel redirected
/// one way have all been written to the destination socket (so that the
/// FIN can follow them), the folding of the kernel's byte counts into the
/// channel's, and the leaving when the pair ends. One per pooled pair,
/// reused.
/// </summary>
internal sealed class KernelPair
{
    private readonly KernelSlots _slots;
    private ulong _clientCookie;
    private ulong _backendCookie;
    private long _clientWrittenBefore;
    private long _backendWrittenBefore;
    private long _foldedUp;
    private long _foldedDown;
    private bool _armed;

    public KernelPair(KernelSlots slots)
    {
        _slots = slots;
    }

    /// <summary>The client socket's slot (the backend's is the next one); -1 while the pair is in user space.</summary>
    public int Slot { get; private set; } = -1;

    public bool Entered => Slot >= 0;

    /// <summary>Both sockets are in the sockmap and the slots armed: the program redirects.</summary>
    public bool Armed => _armed;

    /// <summary>
    /// Moves a pair whose sockets hold nothing half-read and that owes
    /// nothing to either side into the kernel relay. False when it stays in
    /// user space (no slot free, the kernel refused before a socket entered).
    /// Once a socket is in the sockmap it stays there until it is closed:
    /// taking it out could drop what the kernel queued on it. If the second
    /// socket cannot enter, the slots are not armed, and the program passes
    /// every segment up to user space as before.
    /// </summary>
    public bool TryEnter(RelayDirection up, RelayDirection down)
    {
        int slot = _slots.Take();
        if (slot < 0)
        {
            return false;
        }

        KernelRelay relay = _slots.Relay;
        int client = up.Source;
        int backend = down.Source;
        relay.Reset(slot);
        relay.Reset(slot + 1);

        // What each socket has had written to it so far: the kernel's bytes
        // are counted from here (before any can be redirected to it).
        _clientWrittenBefore = KernelSockets.WrittenExactly(client);
        _backendWrittenBefore = KernelSockets.WrittenExactly(backend);
        if (_clientWrittenBefore < 0 || _backendWrittenBefore < 0
            || !KernelSockets.Cookie(client, out _clientCookie) || !KernelSockets.Cookie(backend, out _backendCookie))
        {
            _slots.Return(slot);
            return false;
        }

        if (!relay.MapCookie(_clientCookie, slot))
        {
            _slots.Return(slot);
            return false;
        }

        if (!relay.MapCookie(_backendCookie, slot + 1) || !relay.Insert(slot, client))
        {
            relay.ForgetCookie(_clientCookie);
            relay.ForgetCookie(_backendCookie);
            _slots.Return(slot);
            return false;
        }

        Slot = slot;
        _foldedUp = _foldedDown = 0;
        _slots.InUse++;
        up.EnterKernel(this, slot);
        down.EnterKernel(this, slot + 1);
        if (relay.Insert(slot + 1, backend))
        {
            // Both sockets are in: a redirect now finds its peer. Nothing has
            // been read from either since, so each arms at 0 taken bytes; a
            // segment passed up in between keeps its socket passing until
            // user space has delivered it.
            relay.Arm(slot, 0);
            relay.Arm(slot + 1, 0);
            _armed = true;
        }

        // Segments that arrived between the last read and the insertion wait
        // in the receive queue, unseen by the program until the next one comes.
        KernelSockets.Kick(client);
        KernelSockets.Kick(backend);

        // The kicks took each socket's lock after the arming: a run of the
        // program that saw the slot unarmed has ended, and if it passed
        // nothing up, the pair waits on these sockets only for FINs.
        up.CheckKernelCaughtUp(lockTaken: true);
        down.CheckKernelCaughtUp(lockTaken: true);
        return true;
    }

    /// <summary>User space has taken and delivered <paramref name="taken"/> bytes of this slot's socket: its segments may be redirected again.</summary>
    public void Delivered(int slot, long taken)
    {
        if (_armed)
        {
            _slots.Relay.Arm(slot, taken);
        }
    }

    /// <summary>Bytes the program passed up to user space from this slot's socket.</summary>
    public long Passed(int slot) => _slots.Relay.Passed(slot);

    /// <summary>
    /// True when every byte the kernel redirected from <paramref name="direction"/>'s
    /// source has been written to its destination socket (the rest of the
    /// way is TCP's, in order, so a FIN sent now comes after them). The
    /// source's FIN was read already, and that read took the socket's lock,
    /// which the kernel holds while it runs the program on a segment: every
    /// segment before the FIN has been through the program.
    /// </summary>
    public bool WroteAll(RelayDirection direction)
    {
        bool up = direction.ClientToChannel;
        long redirected = _slots.Relay.Redirected(up ? Slot : Slot + 1);
        if (redirected == 0)
        {
            return true;
        }

        long written = KernelSockets.WrittenTo(direction.Destination);
        return written >= 0 && written - (up ? _backendWrittenBefore : _clientWrittenBefore) >= redirected + direction.TakenInKernel;
    }

    /// <summary>Counts what the kernel moved since the last fold into the channel's sent and rcvd, as activity now.</summary>
    public void Fold(PairTraffic traffic, long now)
    {
        if (!Entered)
        {
            return;
        }

        long up = _slots.Relay.Redirected(Slot);
        long down = _slots.Relay.Redirected(Slot + 1);
        Add(traffic, clientToChannel: true, up - _foldedUp, now);
        Add(traffic, clientToChannel: false, down - _foldedDown, now);
        _foldedUp = up;
        _foldedDown = down;
    }

    /// <summary>After the pair's sockets are closed (which takes them out of the sockmap): gives the slots back.</summary>
    public void Leave()
    {
        if (!Entered)
        {
            return;
        }

        KernelRelay relay = _slots.Relay;
        relay.ForgetCookie(_clientCookie);
        relay.ForgetCookie(_backendCookie);
        relay.Reset(Slot);
        relay.Reset(Slot + 1);
        _slots.Return(Slot);
        _slots.InUse--;
        Slot = -1;
        _armed = false;
    }

    private static void Add(PairTraffic traffic, bool clientToChannel, long bytes, long now)
    {
        while (bytes > 0)
        {
            int part = (int)Math.Min(bytes, int.MaxValue);
            traffic.Moved(clientToChannel, part, now);
            bytes -= part;
        }
    }
}
