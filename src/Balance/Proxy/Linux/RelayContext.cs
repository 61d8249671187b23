using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy.Linux;

/// <summary>What every relay of an engine shares: routing, settings, log, and the pipe budget for splice.</summary>
internal sealed class RelayContext
{
    public RelayContext(RoutingTable table, ProxySettings settings, Log log, int maxPipes)
    {
        Table = table;
        Settings = settings;
        Log = log;
        ConnectTimeoutMs = (long)settings.ConnectTimeout.TotalMilliseconds;
        MaxPipes = maxPipes;
        Shortage = new ResourceShortageLog(log);
        OutgoingSource = new OutgoingSource(settings.OutgoingBindAddress, log);
    }

    public RoutingTable Table { get; }

    public ProxySettings Settings { get; }

    public Log Log { get; }

    public long ConnectTimeoutMs { get; }

    public OutgoingSource OutgoingSource { get; }

    /// <summary>Splice needs a pipe (two descriptors) per direction: only so many are handed out.</summary>
    public int MaxPipes { get; }

    private int _pipesInUse;

    public ResourceShortageLog Shortage { get; }

    /// <summary>Logs running out of descriptors or memory at most once per interval, never per connection.</summary>
    public void ResourceShortage(int errno) => Shortage.Report(errno);

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
