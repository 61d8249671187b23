using System.Net;
using Balance.Hosting;
using Balance.Proxy.ProxyProtocol;

namespace Balance.Proxy.Session;

/// <summary>Why a client was closed before it sent a usable PROXY header (--accept-proxy).</summary>
internal enum ProxyRejection
{
    NotAllowedSource,
    NoHeader,
    NotProxy,
    Malformed,
    TooLong,
}

/// <summary>
/// Clients closed for want of a valid PROXY header: every one is counted,
/// and told at most once per interval, so a scanner or a misconfigured
/// balancer in front gives one line per interval and not one per connection.
/// Both engines report through it.
/// </summary>
internal sealed class ProxyHeaderRejections
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Log _log;
    private readonly LogThrottle _throttle;
    private long _total;
    private long _unreported;

    public ProxyHeaderRejections(Log log, TimeProvider clock)
    {
        _log = log;
        _throttle = new LogThrottle(clock, Interval);
    }

    /// <summary>All clients closed so far for want of a valid header.</summary>
    public long Total => Interlocked.Read(ref _total);

    public static ProxyRejection From(ProxyParseStatus status) => status switch
    {
        ProxyParseStatus.NotProxy => ProxyRejection.NotProxy,
        ProxyParseStatus.TooLong => ProxyRejection.TooLong,
        ProxyParseStatus.Incomplete => ProxyRejection.NoHeader,
        _ => ProxyRejection.Malformed,
    };

    /// <summary>A client from <paramref name="address"/> (4 or 16 bytes) was closed for <paramref name="reason"/>.</summary>
    public void Report(ProxyRejection reason, ReadOnlySpan<byte> address)
    {
        Interlocked.Increment(ref _total);
        long unreported = Interlocked.Increment(ref _unreported);
        if (_throttle.TryTake())
        {
            Interlocked.Add(ref _unreported, -unreported);
            string plural = unreported == 1 ? "client" : "clients";
            _log.Error($"closed {unreported} {plural} without a valid PROXY header ({Interlocked.Read(ref _total)} in all), the latest from {new IPAddress(address)}: {Describe(reason)}");
        }
    }

    private static string Describe(ProxyRejection reason) => reason switch
    {
        ProxyRejection.NotAllowedSource => "not an --accept-proxy-from source",
        ProxyRejection.NoHeader => "no whole header within the time allowed",
        ProxyRejection.NotProxy => "no PROXY header",
        ProxyRejection.TooLong => "header too long",
        _ => "malformed header",
    };
}
