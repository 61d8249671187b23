using System.Globalization;
using Balance.Hosting;
using Balance.Proxy.Session;
using Balance.Routing;

namespace Balance.Health;

/// <summary>
/// The log lines of health checks: one per change of verdict, one when a
/// channel -a took out is enabled again. A channel's first verdict UP changes
/// nothing for traffic and is traced with -d only, so a start with many
/// channels does not flood the log.
/// </summary>
internal static class HealthLog
{
    /// <summary><paramref name="entry"/>'s verdict just changed from <paramref name="from"/>, on a check that ended with <paramref name="reason"/>.</summary>
    public static void Changed(Log log, HealthEntry entry, ChannelHealth from, string reason, HealthOptions options)
    {
        RiseFall verdict = entry.Verdict;
        if (verdict.Health == ChannelHealth.Down)
        {
            string count = from == ChannelHealth.Unknown ? "first check failed" : Invariant($"{verdict.Failures} of {options.Fall} checks failed");
            log.Notice($"{Name(entry)} DOWN: {reason}, {count}");
        }
        else if (from == ChannelHealth.Unknown)
        {
            log.Debug($"{Name(entry)} UP: first check passed");
        }
        else
        {
            log.Notice(Invariant($"{Name(entry)} UP: {verdict.Successes} of {options.Rise} checks passed"));
        }
    }

    public static void AutoEnabled(Log log, HealthEntry entry, int rise) =>
        log.Notice(Invariant($"{Name(entry)} enabled again: {rise} good checks in a row since -a disabled it"));

    /// <summary>"group 0 channel 1 (10.1.1.2:80)".</summary>
    public static string Name(HealthEntry entry) =>
        Invariant($"group {entry.Group} channel {entry.Index} ({ConnectTrace.Describe(entry.EndPoint)})");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
