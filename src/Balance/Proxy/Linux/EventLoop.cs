using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Balance.Native;
using Balance.Proxy.Linux.Kernel;
using Balance.Proxy.Session;

namespace Balance.Proxy.Linux;

/// <summary>
/// One thread, one epoll instance, level-triggered. Dispatches descriptor
/// events to their handlers, runs connect and queue deadlines, timers, the
/// timeout sweep and the pairs other threads hand back to it (a slot found
/// for a client waiting in the queue), and owns what its pairs share: the read buffer (so no relay holds a
/// buffer of its own), the pool of free pairs and the list of live ones.
/// Reads the clock once per wake-up (<see cref="Now"/>).
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    public const int BufferSize = 64 * 1024;
    private const int MaxEvents = 256;

    /// <summary>The longest epoll_wait while a deadline is pending: deadlines are checked at least this often.</summary>
    private const int MaxWaitMs = 1000;

    /// <summary>How often the kernel relay's byte counts are folded into the channels' (show, -T).</summary>
    private const int KernelFoldMs = 1000;


    private static readonly bool PackedEvents =
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    private static readonly int EventSize = PackedEvents ? 12 : 16;
    private static readonly int DataOffset = PackedEvents ? 4 : 8;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly byte* _events;
    private readonly byte[] _buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
    private readonly List<(long Deadline, Action Action)> _timers = new();
    private readonly TimeProvider _clock;
    private readonly RelayTimeouts _timeouts;
    private Slot[] _slots = new Slot[1024];
    private uint _generation;
    private volatile bool _stopping;
    private volatile bool _drainRequested;
    private long _drainDeadline;
    private bool _draining;
    private long _nextSweep;
    private long _nextKernelFold;

    /// <summary>Pairs that got a slot in the queue, pushed by any thread, taken by this loop (see <see cref="Post"/>).</summary>
    private RelayPair? _granted;

    private struct Slot
    {
        public IEpollHandler? Handler;
        public uint Generation;
    }

    public EventLoop(RelayTimeouts timeouts, TimeProvider clock, KernelSlots? kernelSlots = null)
    {
        KernelSlots = kernelSlots;
        _timeouts = timeouts;
        _clock = clock;
        _epoll = Libc.EpollCreate(Libc.EPOLL_CLOEXEC);
        _wake = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_epoll < 0 || _wake < 0 || !Register(_wake, Libc.EPOLLIN, WakeHandler.Instance))
        {
            throw new BalanceException($"balance: cannot set up an event loop (errno {Libc.LastError})", ExitCodes.OsError);
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EventSize));
        Now = clock.Milliseconds();
    }

    /// <summary>The clock's milliseconds at this wake-up.</summary>
    public long Now { get; private set; }

    /// <summary>The shared read buffer; on the pinned heap, so its address never changes.</summary>
    public byte* Buffer => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer));

    public PairPool Pool { get; } = new();

    public LivePairs Live { get; } = new();

    /// <summary>Backend connects in progress, by their -t deadline.</summary>
    public DeadlineList<ConnectLinkOf> Deadlines { get; } = new();

    /// <summary>Clients waiting in the queue at maxc, by their --queue-timeout deadline.</summary>
    public DeadlineList<QueueLinkOf> QueueDeadlines { get; } = new();

    /// <summary>This loop's share of the kernel relay; null when it is off or unavailable.</summary>
    public KernelSlots? KernelSlots { get; }

    /// <summary>Pairs whose FIN waits for the kernel relay to write out what it holds.</summary>
    public KernelFinChecks KernelFins { get; } = new();

    /// <summary>Looks again, soon, whether the kernel has written out what a pair's FIN waits for.</summary>
    public void AwaitKernel(RelayPair pair) => KernelFins.Add(pair, Now);

    public bool Stopping => _stopping;

    /// <summary>No new clients: the relays in flight finish, up to the drain deadline.</summary>
    public bool Draining => _draining;

    /// <summary>Runs on this loop's thread when it starts draining (it lets go of the listener).</summary>
    public Action? DrainStarted { get; set; }

    /// <summary>Adds a descriptor; false when epoll refused (out of memory, or the watch limit).</summary>
    public bool Register(int fd, uint events, IEpollHandler handler, bool exclusive = false)
    {
        if (fd >= _slots.Length)
        {
            Array.Resize(ref _slots, Math.Max(fd + 1, _slots.Length * 2));
        }

        uint generation = ++_generation;
        _slots[fd] = new Slot { Handler = handler, Generation = generation };
        if (Control(Libc.EPOLL_CTL_ADD, fd, events | (exclusive ? Libc.EPOLLEXCLUSIVE : 0), generation))
        {
            return true;
        }

        _slots[fd] = default;
        return false;
    }

    public bool Modify(int fd, uint events) =>
        Control(Libc.EPOLL_CTL_MOD, fd, events, _slots[fd].Generation);

    /// <summary>Removes a descriptor; call before closing it so no stale event reaches a new owner.</summary>
    public void Unregister(int fd)
    {
        // A failed removal leaves nothing behind that matters: the slot is
        // cleared, so an event still reported for the descriptor is dropped.
        _ = Control(Libc.EPOLL_CTL_DEL, fd, 0, 0);
        _slots[fd] = default;
    }

    /// <summary>Drops the handler of a descriptor that is about to be closed (the close takes it out of epoll).</summary>
    public void Forget(int fd) => _slots[fd] = default;

    private bool Control(int op, int fd, uint events, uint generation)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = ((ulong)generation << 32) | (uint)fd;
        return Libc.EpollCtl(_epoll, op, fd, ev) == 0;
    }

    /// <summary>Runs <paramref name="action"/> on this loop once <paramref name="deadline"/> has passed (rare events only).</summary>
    public void AddTimer(long deadline, Action action) => _timers.Add((deadline, action));

    /// <summary>Asks the loop to end now, closing every relay; safe from any thread.</summary>
    public void Stop()
    {
        _stopping = true;
        Wake();
    }

    /// <summary>Asks the loop to stop accepting and end once its relays are done or the deadline passes; safe from any thread.</summary>
    public void Drain(long deadline)
    {
        Interlocked.Exchange(ref _drainDeadline, deadline);
        _drainRequested = true;
        Wake();
    }

    /// <summary>
    /// Hands a waiting pair that got a slot back to this loop, which connects
    /// it on its own thread; safe from any thread (the slot is often freed on
    /// another loop). A lock-free push onto a list linked through the pairs:
    /// nothing is allocated.
    /// </summary>
    public void Post(RelayPair pair)
    {
        RelayPair? head;
        do
        {
            head = Volatile.Read(ref _granted);
            pair.NextGranted = head;
        }
        while (Interlocked.CompareExchange(ref _granted, pair, head) != head);

        Wake();
    }

    private void RunGranted()
    {
        if (Volatile.Read(ref _granted) is null)
        {
            return;
        }

        // Taken all at once (no ABA), then turned round into the order they were granted in.
        RelayPair? taken = Interlocked.Exchange(ref _granted, null);
        RelayPair? ordered = null;
        while (taken is not null)
        {
            RelayPair? next = taken.NextGranted;
            taken.NextGranted = ordered;
            ordered = taken;
            taken = next;
        }

        while (ordered is not null)
        {
            RelayPair? next = ordered.NextGranted;
            ordered.NextGranted = null;
            ordered.OnSlotGranted();
            ordered = next;
        }
    }

    private void Wake()
    {
        ulong one = 1;
        _ = Libc.Write(_wake, (byte*)&one, sizeof(ulong)); // a full counter wakes the loop just as well
    }

    public void Run()
    {
        while (!_stopping)
        {
            int count = Libc.EpollWait(_epoll, _events, MaxEvents, NextTimeout());
            Now = _clock.Milliseconds();
            for (int i = 0; i < count; i++)
            {
                byte* ev = _events + (i * EventSize);
                uint events = *(uint*)ev;
                ulong data = *(ulong*)(ev + DataOffset);
                int fd = (int)(uint)data;
                Slot slot = _slots[fd];
                if (slot.Handler is not null && slot.Generation == (uint)(data >> 32))
                {
                    slot.Handler.OnEvents(fd, events);
                }
            }

            RunGranted();
            RunDeadlines();
            if (_drainRequested && !_draining)
            {
                _draining = true;
                DrainStarted?.Invoke();
            }

            if (_draining && (Live.Count == 0 || Now >= Interlocked.Read(ref _drainDeadline)))
            {
                break;
            }
        }

        Live.CloseAll();
    }

    private int NextTimeout()
    {
        long next = Math.Min(Deadlines.Next, QueueDeadlines.Next);
        if (_timeouts.Enabled)
        {
            next = Math.Min(next, _nextSweep);
        }

        if (_draining)
        {
            next = Math.Min(next, Interlocked.Read(ref _drainDeadline));
        }

        next = Math.Min(next, KernelFins.Next);
        if (KernelSlots is { InUse: > 0 })
        {
            next = Math.Min(next, _nextKernelFold);
        }

        foreach (var timer in _timers)
        {
            next = Math.Min(next, timer.Deadline);
        }

        return next == long.MaxValue ? -1 : (int)Math.Clamp(next - _clock.Milliseconds(), 0, MaxWaitMs);
    }

    private void RunDeadlines()
    {
        while (Deadlines.TakeExpired(Now) is RelayPair pair)
        {
            pair.OnConnectTimeout();
        }

        while (QueueDeadlines.TakeExpired(Now) is RelayPair pair)
        {
            pair.OnQueueTimeout();
        }

        for (int i = _timers.Count - 1; i >= 0; i--)
        {
            if (_timers[i].Deadline <= Now)
            {
                Action action = _timers[i].Action;
                _timers.RemoveAt(i);
                action();
            }
        }

        KernelFins.Run(Now);

        bool sweep = _timeouts.Enabled && Now >= _nextSweep;
        if (KernelSlots is { InUse: > 0 } && (sweep || Now >= _nextKernelFold))
        {
            // Before the sweep: what the kernel moved is activity for -T.
            _nextKernelFold = Now + KernelFoldMs;
            Live.FoldKernelCounts(Now);
        }

        if (sweep)
        {
            _nextSweep = Now + _timeouts.SweepPeriodMs;
            Live.CloseExpired(Now, _timeouts);
        }
    }

    public void Dispose()
    {
        _ = Libc.Close(_wake);
        _ = Libc.Close(_epoll);
        NativeMemory.Free(_events);
    }

    /// <summary>The eventfd that wakes the loop for <see cref="Stop"/>, <see cref="Drain"/> and <see cref="Post"/>.</summary>
    private sealed class WakeHandler : IEpollHandler
    {
        public static readonly WakeHandler Instance = new();

        public void OnEvents(int fd, uint events)
        {
            ulong value;
            _ = Libc.Read(fd, (byte*)&value, sizeof(ulong)); // only emptying the counter
        }
    }
}
