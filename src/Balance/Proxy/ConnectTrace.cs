using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy;

/// <summary>The -d lines about connect attempts and the -a notices, shared by both relay engines.</summary>
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

    public static void AutoDisabled(Log log, ChannelLease lease)
    {
        log.Notice($"connection failed group {lease.Group} channel {lease.Index}");
        log.Notice($"{ClientSession.Describe(lease.Channel.EndPoint)} needs to be enabled manually using balance -i after the problem is solved");
    }
}
