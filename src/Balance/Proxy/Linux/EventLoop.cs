using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Balance.Proxy.Linux;

/// <summary>
/// One thread, one epoll instance, level-triggered. Dispatches descriptor
/// events to their handlers, runs connect deadlines and the idle sweep, and
/// owns the read buffer its relays share (so no relay holds a buffer of its own).
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    public const int BufferSize = 64 * 1024;
    private const int MaxEvents = 256;

    private static readonly bool PackedEvents =
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    private static readonly int EventSize = PackedEvents ? 12 : 16;
    private static readonly int DataOffset = PackedEvents ? 4 : 8;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly byte* _events;
    private readonly byte[] _buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
    private readonly ConnectDeadlines _connectDeadlines = new();
    private readonly List<(long Deadline, Action Action)> _timers = new();
    private Slot[] _slots = new Slot[1024];
    private uint _generation;
    private volatile bool _stopping;
    private volatile bool _drainRequested;
    private long _drainDeadline;
    private bool _draining;
    private long _nextSweep;

    private struct Slot
    {
        public IEpollHandler? Handler;
        public uint Generation;
    }

    public EventLoop(RelayTimeouts timeouts)
    {
        _epoll = LinuxNative.EpollCreate(LinuxNative.EPOLL_CLOEXEC);
        _wake = LinuxNative.EventFd(0, LinuxNative.EFD_NONBLOCK | LinuxNative.EFD_CLOEXEC);
        if (_epoll < 0 || _wake < 0)
        {
            throw new InvalidOperationException($"epoll set-up failed (errno {LinuxNative.Errno})");
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EventSize));
        Timeouts = timeouts;
        Register(_wake, LinuxNative.EPOLLIN, WakeHandler.Instance);
    }

    /// <summary>The shared read buffer; on the pinned heap, so its address never changes.</summary>
    public byte* Buffer => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer));

    public byte[] BufferArray => _buffer;

    public RelayTimeouts Timeouts { get; }

    /// <summary>Relays in flight on this loop, kept in a list for the idle sweep and shutdown.</summary>
    public RelayPair? FirstPair { get; set; }

    public int PairCount { get; set; }

    /// <summary>Closed pairs kept for reuse; beyond this many they are left to the GC.</summary>
    private const int MaxFreePairs = 1024;

    private RelayPair? _freePairs;
    private int _freePairCount;

    public RelayPair? TakeFreePair()
    {
        RelayPair? pair = _freePairs;
        if (pair is not null)
        {
            _freePairs = pair.NextFree;
            pair.NextFree = null;
            _freePairCount--;
        }

        return pair;
    }

    public void ReturnFreePair(RelayPair pair)
    {
        if (_freePairCount < MaxFreePairs)
        {
            pair.NextFree = _freePairs;
            _freePairs = pair;
            _freePairCount++;
        }
    }

    public bool Stopping => _stopping;

    /// <summary>No new clients: the relays in flight finish, up to the drain deadline.</summary>
    public bool Draining => _draining;

    /// <summary>Runs on this loop's thread when it starts draining (it lets go of the listener).</summary>
    public Action? DrainStarted { get; set; }

    public void Register(int fd, uint events, IEpollHandler handler, bool exclusive = false)
    {
        if (fd >= _slots.Length)
        {
            Array.Resize(ref _slots, Math.Max(fd + 1, _slots.Length * 2));
        }

        uint generation = ++_generation;
        _slots[fd] = new Slot { Handler = handler, Generation = generation };
        Control(LinuxNative.EPOLL_CTL_ADD, fd, events | (exclusive ? LinuxNative.EPOLLEXCLUSIVE : 0), generation);
    }

    public void Modify(int fd, uint events) =>
        Control(LinuxNative.EPOLL_CTL_MOD, fd, events, _slots[fd].Generation);

    /// <summary>Removes a descriptor; call before closing it so no stale event reaches a new owner.</summary>
    public void Unregister(int fd)
    {
        Control(LinuxNative.EPOLL_CTL_DEL, fd, 0, 0);
        _slots[fd] = default;
    }

    /// <summary>Drops the handler of a descriptor that is about to be closed (the close takes it out of epoll).</summary>
    public void Forget(int fd) => _slots[fd] = default;

    private void Control(int op, int fd, uint events, uint generation)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = ((ulong)generation << 32) | (uint)fd;
        _ = LinuxNative.EpollCtl(_epoll, op, fd, ev);
    }

    public void AddConnectDeadline(RelayPair pair, long deadline) => _connectDeadlines.Add(pair, deadline);

    /// <summary>The connect of <paramref name="pair"/> ended (or the pair closed): its deadline no longer applies.</summary>
    public void RemoveConnectDeadline(RelayPair pair) => _connectDeadlines.Remove(pair);

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

    private void Wake()
    {
        ulong one = 1;
        _ = LinuxNative.Write(_wake, (byte*)&one, sizeof(ulong));
    }

    public void Run()
    {
        while (!_stopping)
        {
            int count = LinuxNative.EpollWait(_epoll, _events, MaxEvents, NextTimeout());
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

            RunDeadlines();
            if (_drainRequested && !_draining)
            {
                _draining = true;
                DrainStarted?.Invoke();
            }

            if (_draining && (PairCount == 0 || Environment.TickCount64 >= Interlocked.Read(ref _drainDeadline)))
            {
                break;
            }
        }

        CloseAllPairs();
    }

    private int NextTimeout()
    {
        long now = Environment.TickCount64;
        long next = _connectDeadlines.Next;

        if (Timeouts.Enabled)
        {
            next = Math.Min(next, _nextSweep);
        }

        if (_draining)
        {
            next = Math.Min(next, Interlocked.Read(ref _drainDeadline));
        }

        foreach (var timer in _timers)
        {
            next = Math.Min(next, timer.Deadline);
        }

        return next == long.MaxValue ? -1 : (int)Math.Clamp(next - now, 0, 1000);
    }

    private void RunDeadlines()
    {
        long now = Environment.TickCount64;
        while (_connectDeadlines.TakeExpired(now) is RelayPair pair)
        {
            pair.OnConnectTimeout();
        }

        for (int i = _timers.Count - 1; i >= 0; i--)
        {
            if (_timers[i].Deadline <= now)
            {
                Action action = _timers[i].Action;
                _timers.RemoveAt(i);
                action();
            }
        }

        if (Timeouts.Enabled && now >= _nextSweep)
        {
            _nextSweep = now + Timeouts.SweepPeriodMs;
            for (RelayPair? pair = FirstPair; pair is not null;)
            {
                RelayPair? next = pair.NextPair;
                if (pair.IsRelaying && Timeouts.Expired(now - pair.LastActivity, pair.HalfClosed))
                {
                    pair.Abort();
                }

                pair = next;
            }
        }
    }

    private void CloseAllPairs()
    {
        for (RelayPair? pair = FirstPair; pair is not null;)
        {
            RelayPair? next = pair.NextPair;
            pair.Abort();
            pair = next;
        }
    }

    public void Dispose()
    {
        _ = LinuxNative.Close(_wake);
        _ = LinuxNative.Close(_epoll);
        NativeMemory.Free(_events);
    }

    /// <summary>The eventfd that wakes the loop for <see cref="Stop"/>.</summary>
    private sealed class WakeHandler : IEpollHandler
    {
        public static readonly WakeHandler Instance = new();

        public void OnEvents(int fd, uint events)
        {
            ulong value;
            _ = LinuxNative.Read(fd, (byte*)&value, sizeof(ulong));
        }
    }
}
