using System.Net;
using System.Runtime.InteropServices;
using Balance.Hosting;
using Balance.Native;
using Balance.Proxy.Session;

namespace Balance.Health;

/// <summary>
/// The thread health checks run on: its own epoll instance, so no check ever
/// waits on, or holds up, a relay loop. Each wake-up lets the monitor start
/// what is due, then waits for the checks' sockets, the next slot, the
/// nearest deadline, or a wake from a relay thread (a client's failed
/// connect). Checks due within a twentieth of the interval of each other
/// start in one wake-up: on a loaded machine a wake-up costs as much as a
/// check (some 50 µs here), so waking once per check would double the cost.
/// </summary>
internal sealed unsafe class ProbeLoop : ICheckRunner, IDisposable
{
    /// <summary>Bounds of the batch: 256 channels at 0.2 s start about 13 at a time, 100 times a second; at 2 s, 13 at a time 10 times a second.</summary>
    private const long MinBatchMs = 1;
    private const long MaxBatchMs = 100;

    private const int MaxEvents = 64;
    private const int MaxWaitMs = 1000;
    private const int ScratchSize = 16 * 1024;
    private const ulong WakeData = ulong.MaxValue;

    private readonly HealthOptions _options;
    private readonly OutgoingSource _source;
    private readonly TimeProvider _clock;
    private readonly Log _log;
    private readonly CheckTexts _texts;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly byte* _events;
    private readonly byte* _scratch;
    private readonly List<TcpCheck?> _bySlot = new();
    private readonly List<TcpCheck> _running = new();
    private HealthMonitor? _monitor;
    private Thread? _thread;
    private volatile bool _stopping;
    private long _wakeUps;

    public ProbeLoop(HealthOptions options, OutgoingSource source, TimeProvider clock, Log log)
    {
        _options = options;
        _source = source;
        _clock = clock;
        _log = log;
        _texts = new CheckTexts(options.TimeoutMs);
        BatchMs = Math.Clamp(options.IntervalMs / 20, MinBatchMs, MaxBatchMs);
        _epoll = Libc.EpollCreate(Libc.EPOLL_CLOEXEC);
        _wake = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_epoll < 0 || _wake < 0 || !EpollEvent.Control(_epoll, Libc.EPOLL_CTL_ADD, _wake, Libc.EPOLLIN, WakeData))
        {
            int error = Libc.LastError;
            CloseDescriptors();
            throw new BalanceException($"balance: cannot set up health checks (errno {error})", ExitCodes.OsError);
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EpollEvent.Size));
        _scratch = (byte*)NativeMemory.Alloc(ScratchSize);
    }

    /// <summary>A check starts at most this late after its slot: a twentieth of the interval, 1 to 100 ms.</summary>
    public long BatchMs { get; }

    /// <summary>How often the thread has woken; a socket that reported the same event again and again would show here.</summary>
    public long WakeUps => Volatile.Read(ref _wakeUps);

    /// <summary>Starts the thread that runs <paramref name="monitor"/>'s checks.</summary>
    public void Run(HealthMonitor monitor)
    {
        _monitor = monitor;
        monitor.Wake = Wake;
        _thread = new Thread(Loop) { IsBackground = true, Name = "health checks" };
        _thread.Start();
    }

    public void StartCheck(HealthEntry entry, IPEndPoint target)
    {
        while (_bySlot.Count <= entry.Slot)
        {
            _bySlot.Add(null);
        }

        TcpCheck check = _bySlot[entry.Slot] ??= new TcpCheck(_options, _texts, _source);
        CheckStep step = check.Begin(entry, target, _clock.Milliseconds() + _options.TimeoutMs);
        if (step == CheckStep.Done)
        {
            Finish(check, check.Result);
        }
        else if (Watch(check, step))
        {
            _running.Add(check);
        }
        else
        {
            Finish(check, CheckResult.NotRun(CheckTexts.NotRun(Libc.LastError)));
        }
    }

    /// <summary>Wakes the thread; safe from any thread, never blocks.</summary>
    public void Wake()
    {
        ulong one = 1;
        _ = Libc.Write(_wake, (byte*)&one, sizeof(ulong)); // a full counter wakes the thread just as well
    }

    private void Loop()
    {
        try
        {
            while (!_stopping)
            {
                _monitor!.RunDue();
                int count = Libc.EpollWait(_epoll, _events, MaxEvents, NextWaitMs());
                Volatile.Write(ref _wakeUps, _wakeUps + 1);
                for (int i = 0; i < count; i++)
                {
                    Dispatch(EpollEvent.Data(_events, i));
                }

                ExpireDeadlines();
            }
        }
        catch (Exception e)
        {
            // A fault here must not take the proxy down; without checks, verdicts stay as they are.
            _log.Error($"health checks stopped: {e.Message}");
        }
        finally
        {
            foreach (TcpCheck? check in _bySlot)
            {
                check?.CloseSocket();
            }

            _running.Clear();
        }
    }

    private void Dispatch(ulong data)
    {
        if (data == WakeData)
        {
            ulong value;
            _ = Libc.Read(_wake, (byte*)&value, sizeof(ulong));
            return;
        }

        int slot = (int)(uint)data;
        TcpCheck? check = slot < _bySlot.Count ? _bySlot[slot] : null;
        if (check?.Entry is null || check.Generation != (uint)(data >> 32))
        {
            return; // an event of a check that has ended
        }

        CheckStep step = check.OnReady(_scratch, ScratchSize);
        if (step == CheckStep.Done)
        {
            Finish(check, check.Result);
        }
        else if (!Watch(check, step))
        {
            Finish(check, CheckResult.NotRun(CheckTexts.NotRun(Libc.LastError)));
        }
    }

    /// <summary>
    /// Arms the socket for one event. One-shot, because the socket outlives
    /// the check: once disconnected it reports a hang-up, which level-triggered
    /// would wake the loop again and again until the next check. A late event
    /// is read as the socket's state at delivery, and one of an ended check is
    /// told apart by its generation.
    /// </summary>
    private bool Watch(TcpCheck check, CheckStep step)
    {
        uint interest = (step == CheckStep.Writable ? Libc.EPOLLOUT : Libc.EPOLLIN) | Libc.EPOLLONESHOT;
        ulong data = ((ulong)check.Generation << 32) | (uint)check.Entry!.Slot;
        if (!EpollEvent.Control(_epoll, check.Watched ? Libc.EPOLL_CTL_MOD : Libc.EPOLL_CTL_ADD, check.Fd, interest, data))
        {
            return false;
        }

        check.Watched = true;
        return true;
    }

    private void Finish(TcpCheck check, CheckResult result)
    {
        HealthEntry entry = check.Entry!;
        check.End();
        _ = _running.Remove(check);
        _monitor!.Completed(entry, result);
    }

    private void ExpireDeadlines()
    {
        long now = _clock.Milliseconds();
        for (int i = _running.Count - 1; i >= 0; i--)
        {
            TcpCheck check = _running[i];
            if (check.Deadline <= now)
            {
                Finish(check, check.TimedOut());
            }
        }
    }

    /// <summary>Until the next slot or deadline, at least <see cref="BatchMs"/> unless something is due now, at most a second.</summary>
    private int NextWaitMs()
    {
        long wait = _monitor!.MillisecondsToNext();
        long now = _clock.Milliseconds();
        foreach (TcpCheck check in _running)
        {
            long left = Math.Max(0, check.Deadline - now);
            wait = wait < 0 ? left : Math.Min(wait, left);
        }

        if (wait < 0 || wait > MaxWaitMs)
        {
            return MaxWaitMs;
        }

        return wait == 0 ? 0 : (int)Math.Max(wait, BatchMs);
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread is not null)
        {
            Wake();
            if (!_thread.Join(TimeSpan.FromSeconds(2)))
            {
                return; // still inside a call: leave its descriptors and memory to the process's end
            }
        }

        if (_monitor is not null)
        {
            _monitor.Wake = null; // no relay thread writes to the eventfd once it is closed
        }

        CloseDescriptors();
        NativeMemory.Free(_events);
        NativeMemory.Free(_scratch);
    }

    private void CloseDescriptors()
    {
        if (_wake >= 0)
        {
            _ = Libc.Close(_wake);
        }

        if (_epoll >= 0)
        {
            _ = Libc.Close(_epoll);
        }
    }
}
