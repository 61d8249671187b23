using System.Net.Sockets;
using Balance.Proxy.Linux.Kernel;
using Balance.Proxy.Session;

namespace Balance.Proxy.Linux;

/// <summary>
/// The Linux relay engine: event-loop threads sharing the listener
/// (EPOLLEXCLUSIVE wakes one of them per connection), no thread or task per
/// connection, and no buffer held by an idle connection.
/// </summary>
internal sealed class EpollProxyEngine : IProxyEngine
{
    private readonly Socket _listener;
    private readonly EpollContext _context;
    private readonly EventLoop[] _loops;
    private readonly KernelRelay? _kernel;
    private int _loopsListening;

    public EpollProxyEngine(Socket listener, SessionContext session, int threads)
    {
        _listener = listener;
        _listener.Blocking = false;
        _context = new EpollContext(session, maxPipes: 1024);
        _loops = new EventLoop[Math.Max(1, threads)];
        _kernel = session.Settings.KernelRelay ? LoadKernelRelay(session) : null;
        int pairsPerLoop = KernelRelay.SlotCount / 2 / _loops.Length;
        for (int i = 0; i < _loops.Length; i++)
        {
            KernelSlots? slots = _kernel is null ? null : new KernelSlots(_kernel, i * pairsPerLoop * 2, pairsPerLoop);
            _loops[i] = new EventLoop(session.Settings.Timeouts, session.Clock, slots);
        }
    }

    /// <summary>
    /// --kernel-relay: the BPF program and its maps, or null (told once in
    /// the log) when the kernel refuses; every pair then relays in user space.
    /// </summary>
    private static KernelRelay? LoadKernelRelay(SessionContext session)
    {
        if (session.Settings.PacketDump)
        {
            session.Log.Notice("kernel relay not used with -p (the dump must see every byte); relaying in user space");
            return null;
        }

        KernelRelay? relay = KernelRelay.TryLoad(out string reason);
        if (relay is null)
        {
            session.Log.Notice($"kernel relay unavailable: {reason}; relaying in user space");
        }
        else
        {
            session.Log.Debug("kernel relay loaded: pairs move into the kernel at their second request");
        }

        return relay;
    }

    public int ActiveRelays => _loops.Sum(loop => loop.Live.Count);

    public Task RunAsync()
    {
        int listenerFd = (int)_listener.Handle;
        var threads = new List<Task>();
        _loopsListening = _loops.Length;
        foreach (EventLoop loop in _loops)
        {
            var acceptor = new AcceptHandler(loop, _context, listenerFd, exclusive: _loops.Length > 1);
            loop.DrainStarted = () =>
            {
                acceptor.StopListening();
                ReleaseListener();
            };
            acceptor.Listen();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    loop.Run();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            })
            {
                IsBackground = true,
                Name = "balance-loop",
            };
            thread.Start();
            threads.Add(done.Task);
        }

        return Task.WhenAll(threads);
    }

    public void Stop(TimeSpan grace)
    {
        long deadline = _context.Session.Clock.Milliseconds() + (long)grace.TotalMilliseconds;
        foreach (EventLoop loop in _loops)
        {
            loop.Drain(deadline);
        }
    }

    public void StopNow()
    {
        _context.Session.Stop();
        foreach (EventLoop loop in _loops)
        {
            loop.Stop();
        }
    }

    /// <summary>
    /// The last loop to let go of the listener closes it, on a loop thread, so
    /// no loop can act on its descriptor number once it is reused.
    /// </summary>
    private void ReleaseListener()
    {
        if (Interlocked.Decrement(ref _loopsListening) == 0)
        {
            _listener.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (EventLoop loop in _loops)
        {
            loop.Dispose();
        }

        _kernel?.Dispose();
    }
}
