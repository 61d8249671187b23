namespace Balance.Routing;

/// <summary>
/// Told of every connect attempt's end, success or failure, after the table
/// has acted on it: health checks learn from clients' connects here (passive
/// checks), metrics count them. Called on relay threads: it must be quick and
/// never block.
/// </summary>
internal interface IConnectObserver
{
    void Connected(ChannelLease lease, TimeSpan took);

    void Failed(ChannelLease lease, ConnectOutcome outcome, TimeSpan took);
}
