using System.Net;
using System.Net.Sockets;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy.Session;

/// <summary>The -d lines about connect attempts and the -a notices, worded as the original's.</summary>
internal static class ConnectTrace
{
    public static void Attempt(Log log, ChannelLease lease, ConnectOutcome outcome)
    {
        if (!log.DebugEnabled)
        {
            return;
        }

        string result = outcome switch
        {
            ConnectOutcome.Connected => $"connect to channel {lease.Index} successful",
            ConnectOutcome.TimedOut => $"timeout group {lease.Group} channel {lease.Index}",
            _ => $"connection refused group {lease.Group} channel {lease.Index}",
        };
        log.Debug($"trying group {lease.Group} channel {lease.Index} ... {result}");
    }

    /// <summary>
    /// The -a notices. With health checks (<paramref name="autoEnableChecks"/>
    /// passes end the disable) the second says so instead of asking for an
    /// <c>enable</c>.
    /// </summary>
    public static void AutoDisabled(Log log, ChannelLease lease, int autoEnableChecks = 0)
    {
        log.Notice($"connection failed group {lease.Group} channel {lease.Index}");
        log.Notice(autoEnableChecks > 0
            ? $"{Describe(lease.Channel.EndPoint)} will be enabled again after {autoEnableChecks} good health checks in a row"
            : $"{Describe(lease.Channel.EndPoint)} needs to be enabled manually using balance -i after the problem is solved");
    }

    /// <summary>HOST:PORT, an IPv6 host in brackets.</summary>
    public static string Describe(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port}"
            : $"{endPoint.Address}:{endPoint.Port}";
}
