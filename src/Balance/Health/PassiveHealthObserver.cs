using Balance.Routing;

namespace Balance.Health;

/// <summary>
/// Passive checks: clients' failed connects, as the routing table reports
/// them, go to the monitor. A successful connect costs nothing here.
/// </summary>
internal sealed class PassiveHealthObserver : IConnectObserver
{
    private readonly HealthMonitor _monitor;

    public PassiveHealthObserver(HealthMonitor monitor)
    {
        _monitor = monitor;
    }

    public void Connected(ChannelLease lease, TimeSpan took)
    {
    }

    public void Failed(ChannelLease lease, ConnectOutcome outcome, TimeSpan took) =>
        _monitor.ClientFailed(lease.Channel, outcome, took);
}
