using System.Net.Sockets;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy.Linux;

/// <summary>
/// The Linux relay engine: event-loop threads sharing the listener
/// (EPOLLEXCLUSIVE wakes one of them per connection), no thread or task per
/// connection, and no buffer held by an idle connection.
/// </summary>
internal sealed class EpollProxyEngine : IProxyEngine
{
    private readonly Socket _listener;
    private readonly RelayContext _context;
    private readonly EventLoop[] _loops;

    public EpollProxyEngine(Socket listener, RoutingTable table, ProxySettings settings, Log log, int threads)
    {
        _listener = listener;
        _listener.Blocking = false;
        _context = new RelayContext(table, settings, log, maxPipes: 1024);
        long idleMs = (long)settings.IdleTimeout.TotalMilliseconds;
        _loops = new EventLoop[Math.Max(1, threads)];
        for (int i = 0; i < _loops.Length; i++)
        {
            _loops[i] = new EventLoop(idleMs);
        }
    }

    public int ActiveRelays => _loops.Sum(loop => loop.PairCount);

    public Task RunAsync()
    {
        int listenerFd = (int)_listener.Handle;
        var threads = new List<Task>();
        foreach (EventLoop loop in _loops)
        {
            new AcceptHandler(loop, _context, listenerFd, exclusive: _loops.Length > 1).Listen();
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

    public void Stop()
    {
        foreach (EventLoop loop in _loops)
        {
            loop.Stop();
        }
    }

    public void Dispose()
    {
        foreach (EventLoop loop in _loops)
        {
            loop.Dispose();
        }
    }
}
