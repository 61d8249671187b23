using Balance.Native;
using Balance.Proxy.Session;
using static Balance.Native.Libc;

namespace Balance.Proxy.Linux.Kernel;

/// <summary>
/// A relayed pair's stay in the kernel relay: how it enters (both sockets
/// into the sockmap, then armed), whether the bytes the kernel redirected
/// one way have all been written to the destination socket (so that the
/// FIN can follow them), the folding of the kernel's byte counts into the
/// channel's, and the leaving when the pair ends. One per pooled pair,
/// reused.
/// </summary>
internal sealed unsafe class KernelPair
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
        _clientWrittenBefore = WrittenExactly(client);
        _backendWrittenBefore = WrittenExactly(backend);
        if (_clientWrittenBefore < 0 || _backendWrittenBefore < 0
            || !Cookie(client, out _clientCookie) || !Cookie(backend, out _backendCookie))
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
        // in the receive queue, unseen by the program until the next segment
        // comes: setting SO_RCVLOWAT runs the socket's data-ready callback,
        // the program's entry, at once.
        _ = SetIntOption(client, SOL_SOCKET, SO_RCVLOWAT, 1);
        _ = SetIntOption(backend, SOL_SOCKET, SO_RCVLOWAT, 1);
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

        long written = WrittenTo(direction.Destination);
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

    /// <summary>
    /// Bytes written to a TCP socket since it opened, plus a constant: those
    /// acknowledged and those still in its send queue. -1 on failure. The
    /// acknowledged count is read first, so an acknowledgement arriving
    /// between the two reads can only make the sum smaller than the truth.
    /// </summary>
    private static long WrittenTo(int fd)
    {
        long acknowledged = Acknowledged(fd);
        int queued = 0;
        return acknowledged < 0 || Ioctl(fd, SIOCOUTQ, &queued) != 0 ? -1 : acknowledged + queued;
    }

    /// <summary>
    /// <see cref="WrittenTo"/> exactly, for the starting point the kernel's
    /// bytes are counted from (smaller than the truth there would count
    /// bytes as written that were not): taken while no acknowledgement
    /// arrives, which is known when the acknowledged count is the same
    /// before and after the queue is read. Nothing writes to the socket
    /// meanwhile. -1 when it cannot be had.
    /// </summary>
    private static long WrittenExactly(int fd)
    {
        for (int attempt = 0; attempt < 4; attempt++)
        {
            long before = Acknowledged(fd);
            int queued = 0;
            if (before < 0 || Ioctl(fd, SIOCOUTQ, &queued) != 0)
            {
                return -1;
            }

            if (Acknowledged(fd) == before)
            {
                return before + queued;
            }
        }

        return -1;
    }

    private static long Acknowledged(int fd)
    {
        byte* info = stackalloc byte[TcpInfoSize];
        int length = TcpInfoSize;
        return GetSockOpt(fd, IPPROTO_TCP, TCP_INFO, info, &length) != 0 || length < TcpInfoBytesAckedOffset + 8
            ? -1
            : (long)*(ulong*)(info + TcpInfoBytesAckedOffset);
    }

    private static bool Cookie(int fd, out ulong cookie)
    {
        ulong value = 0;
        int length = sizeof(ulong);
        bool ok = GetSockOpt(fd, SOL_SOCKET, SO_COOKIE, (byte*)&value, &length) == 0;
        cookie = value;
        return ok;
    }
}
