using Balance.Proxy.Session;

namespace Balance.Proxy.Linux;

/// <summary>What every pair of the epoll engine shares: the sessions' context and the pipe budget for splice.</summary>
internal sealed class EpollContext
{
    private int _pipesInUse;

    public EpollContext(SessionContext session, int maxPipes)
    {
        Session = session;
        MaxPipes = maxPipes;
        ConnectTimeoutMs = (long)session.Settings.ConnectTimeout.TotalMilliseconds;
        ProxyHeaderTimeoutMs = (long)session.Settings.ProxyHeaderTimeout.TotalMilliseconds;
    }

    public SessionContext Session { get; }

    public long ConnectTimeoutMs { get; }

    /// <summary>--accept-proxy: how long a client may take to send its PROXY header.</summary>
    public long ProxyHeaderTimeoutMs { get; }

    /// <summary>Splice needs a pipe (two descriptors) per direction: only so many are handed out.</summary>
    public int MaxPipes { get; }

    public bool TryTakePipe()
    {
        if (Interlocked.Increment(ref _pipesInUse) <= MaxPipes)
        {
            return true;
        }

        Interlocked.Decrement(ref _pipesInUse);
        return false;
    }

    public void ReturnPipe() => Interlocked.Decrement(ref _pipesInUse);
}
