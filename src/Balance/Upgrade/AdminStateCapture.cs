using Balance.Routing;

namespace Balance.Upgrade;

/// <summary>
/// Remembers the channels as the command line made them (before any state
/// carried over is applied), so that what the operator changed since can be
/// told apart from what the command line says.
/// </summary>
internal sealed class AdminStateCapture
{
    private readonly Dictionary<(int Group, int Index), ChannelStatus> _baseline;

    public AdminStateCapture(IEnumerable<ChannelStatus> commandLine)
    {
        _baseline = commandLine.ToDictionary(row => (row.Group, row.Index));
    }

    /// <summary>The changes in <paramref name="now"/> (a snapshot of the table) against the command line.</summary>
    public AdminState Changes(IReadOnlyList<ChannelStatus> now)
    {
        var changes = new List<ChannelChange>();
        foreach (ChannelStatus row in now.OrderBy(r => r.Group).ThenBy(r => r.Index))
        {
            int nth = now.Count(r => r.Group == row.Group && r.Index < row.Index && r.EndPoint.Equals(row.EndPoint));
            if (!_baseline.TryGetValue((row.Group, row.Index), out ChannelStatus first))
            {
                changes.Add(new ChannelChange(
                    row.Group, row.Index, row.EndPoint, nth, Created: true,
                    Enabled: row.Enabled, MaxConnections: row.MaxConnections, Weight: row.Weight));
                continue;
            }

            var change = new ChannelChange(
                row.Group, row.Index, row.EndPoint, nth,
                AssignedFrom: row.EndPoint.Equals(first.EndPoint) ? null : first.EndPoint,
                Enabled: row.Enabled == first.Enabled ? null : row.Enabled,
                MaxConnections: row.MaxConnections == first.MaxConnections ? null : row.MaxConnections,
                Weight: row.Weight == first.Weight ? null : row.Weight);
            if (change.AssignedFrom is not null || change.Enabled is not null || change.MaxConnections is not null || change.Weight is not null)
            {
                changes.Add(change);
            }
        }

        return new AdminState(changes);
    }
}
