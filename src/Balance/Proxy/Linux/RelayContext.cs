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
        if (settings.OutgoingBindAddress is { } bind)
        {
            OutgoingBindAddress = bind;
        }
    }

    public RoutingTable Table { get; }

    public ProxySettings Settings { get; }

    public Log Log { get; }

    public long ConnectTimeoutMs { get; }

    public System.Net.IPAddress? OutgoingBindAddress { get; }

    /// <summary>Splice needs a pipe (two descriptors) per direction: only so many are handed out.</summary>
    public int MaxPipes { get; }

    private int _pipesInUse;
    private long _lastShortageLog = long.MinValue;

    /// <summary>Logs running out of descriptors or memory at most once per interval, never per connection.</summary>
    public void ResourceShortage(int errno)
    {
        const long IntervalMs = 10_000;
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastShortageLog);
        if (now - last >= IntervalMs && Interlocked.CompareExchange(ref _lastShortageLog, now, last) == last)
        {
            string why = errno is LinuxNative.EMFILE or LinuxNative.ENFILE ? "too many open files" : $"errno {errno}";
            Log.Error($"cannot open a connection: {why}; clients are refused or wait in the listen queue");
        }
    }

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
