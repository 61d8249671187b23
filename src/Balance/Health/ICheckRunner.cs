using System.Net;

namespace Balance.Health;

/// <summary>Runs the checks <see cref="HealthMonitor"/> starts: the TCP check on its own thread, or a test's stand-in.</summary>
internal interface ICheckRunner
{
    /// <summary>
    /// Starts one check of <paramref name="target"/> for <paramref name="entry"/>
    /// without waiting for it; its end is reported to
    /// <see cref="HealthMonitor.Completed"/> on the monitor's thread, possibly
    /// before this returns.
    /// </summary>
    void StartCheck(HealthEntry entry, IPEndPoint target);
}
