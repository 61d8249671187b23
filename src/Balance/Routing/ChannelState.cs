namespace Balance.Routing;

/// <summary>
/// Whether a channel takes new connections, kept in its three sources so none
/// overwrites another: what the operator set (<c>enable</c>/<c>disable</c>),
/// what autodisable (-a) set after a failed connect, and what health checks
/// concluded. Routing reads only their combination, <see cref="Routable"/>.
/// </summary>
internal struct ChannelState
{
    public ChannelState(bool operatorEnabled)
    {
        OperatorEnabled = operatorEnabled;
    }

    /// <summary><c>enable</c> and <c>disable</c>, or the command line (<c>create</c> makes channels disabled).</summary>
    public bool OperatorEnabled { get; set; }

    /// <summary>Set by -a when a connect fails; cleared by <c>enable</c>.</summary>
    public bool AutoDisabled { get; set; }

    public ChannelHealth Health { get; set; }

    /// <summary>Neither the operator nor autodisable took it out: <c>show</c>'s ENA.</summary>
    public readonly bool Enabled => OperatorEnabled && !AutoDisabled;

    /// <summary>Enabled and not found down by health checks.</summary>
    public readonly bool Routable => Enabled && Health != ChannelHealth.Down;

    /// <summary><c>enable</c> brings back a channel autodisable took out too; <c>disable</c> is the operator's alone.</summary>
    public void SetByOperator(bool enabled)
    {
        OperatorEnabled = enabled;
        if (enabled)
        {
            AutoDisabled = false;
        }
    }
}
