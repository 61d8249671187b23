using System.Net;
using Balance.CommandLine;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Discovery;

/// <summary>The watchers of every <c>srv:</c> argument; none (and nothing started) without one.</summary>
internal sealed class SrvDiscovery : IDisposable
{
    private readonly List<SrvWatcher> _watchers;

    private SrvDiscovery(List<SrvWatcher> watchers)
    {
        _watchers = watchers;
    }

    public static SrvDiscovery? Start(Options options, RoutingTable table, Log log, TimeProvider clock)
    {
        var specs = options.Groups.SelectMany(g => g.Services.Select(s => (Spec: s, g.Type))).ToList();
        if (specs.Count == 0)
        {
            return null;
        }

        var lookup = new DnsSrvLookup(options.Resolver);
        var watchers = specs.Select(s => new SrvWatcher(s.Spec, s.Type, table, lookup, log, clock)).ToList();
        watchers.ForEach(w => w.Start());
        return new SrvDiscovery(watchers);
    }

    /// <summary>--resolver: an IP address with an optional port (53), IPv6 in brackets when a port follows.</summary>
    public static IPEndPoint ParseResolver(string text)
    {
        if (!text.StartsWith('[') && IPAddress.TryParse(text, out IPAddress? bare))
        {
            return new IPEndPoint(bare, 53);
        }

        if (IPEndPoint.TryParse(text, out IPEndPoint? endPoint) && endPoint.Port > 0)
        {
            return endPoint;
        }

        throw new BalanceException($"balance: invalid resolver [{text}], ADDR or ADDR:PORT expected", ExitCodes.Usage);
    }

    public void Dispose() => _watchers.ForEach(w => w.Dispose());
}
