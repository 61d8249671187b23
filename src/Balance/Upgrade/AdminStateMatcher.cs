using System.Net;
using Balance.Routing;

namespace Balance.Upgrade;

/// <summary>
/// Applies the old instance's changes to the successor's table built from its
/// own command line (docs/upgrade.md has the rules for operators):
/// <list type="number">
/// <item>a change goes to the channel of the same group with the same address
/// and port now; several such channels pair up in order (the first with the
/// first: <see cref="ChannelChange.Nth"/>);</item>
/// <item>else a channel moved by <c>assign</c> goes to the first channel of the
/// group still at its command-line address, which is assigned the new one;</item>
/// <item>else a created channel is created again at the end of its group;</item>
/// <item>else the channel is gone from the command line: its changes are dropped.</item>
/// </list>
/// Only the fields the operator changed are set; the others stay as the new
/// command line says.
/// </summary>
internal static class AdminStateMatcher
{
    /// <summary>Applies <paramref name="state"/>; returns one line per change, saying where it went.</summary>
    public static IReadOnlyList<string> Apply(RoutingTable table, AdminState state)
    {
        var notes = new List<string>();
        var taken = new HashSet<(int Group, int Index)>();
        List<ChannelStatus> rows = table.Snapshot();
        foreach (ChannelChange change in state.Channels)
        {
            string what = $"channel {change.Group}:{change.Index} ({Format(change.EndPoint)})";
            if (!RoutingTable.IsValidGroup(change.Group))
            {
                notes.Add($"{what}: no such group, not carried over");
                continue;
            }

            int? target = SameAddress(rows, change, taken);
            if (target is int same)
            {
                Set(table, change, same, assign: null);
                notes.Add($"{what}: carried over to channel {change.Group}:{same}");
            }
            else if (change.AssignedFrom is not null && FirstAt(rows, change.Group, change.AssignedFrom, taken) is int moved)
            {
                Set(table, change, moved, assign: change.EndPoint);
                notes.Add($"{what}: channel {change.Group}:{moved} ({Format(change.AssignedFrom)}) assigned to it");
            }
            else if (change.Created && table.Create(change.Group, change.EndPoint) == ControlResult.Done)
            {
                int index = table.ChannelCount(change.Group) - 1;
                Set(table, change, index, assign: null);
                notes.Add($"{what}: created again as channel {change.Group}:{index}");
                rows = table.Snapshot();
            }
            else
            {
                notes.Add($"{what}: not on the new command line, not carried over");
                continue;
            }
        }

        return notes;

        void Set(RoutingTable t, ChannelChange change, int index, IPEndPoint? assign)
        {
            taken.Add((change.Group, index));
            bool enabled = change.Enabled ?? t.Status(change.Group, index)?.Enabled ?? false;
            if (assign is not null)
            {
                _ = t.SetEnabled(change.Group, index, enabled: false);
                _ = t.Assign(change.Group, index, assign);
            }

            if (change.MaxConnections is int maxc and >= 0)
            {
                _ = t.SetMaxConnections(change.Group, index, maxc);
            }

            if (change.Weight is int weight and >= Channel.MinWeight and <= Channel.MaxWeight)
            {
                _ = t.SetWeight(change.Group, index, weight);
            }

            if (change.Enabled is not null || assign is not null)
            {
                _ = t.SetEnabled(change.Group, index, enabled);
            }
        }
    }

    /// <summary>Step 1: the <see cref="ChannelChange.Nth"/> channel of the group at the same address and port.</summary>
    private static int? SameAddress(List<ChannelStatus> rows, ChannelChange change, HashSet<(int, int)> taken)
    {
        ChannelStatus[] same = rows
            .Where(r => r.Group == change.Group && r.EndPoint.Equals(change.EndPoint))
            .OrderBy(r => r.Index)
            .ToArray();
        return change.Nth < same.Length && !taken.Contains((change.Group, same[change.Nth].Index))
            ? same[change.Nth].Index
            : null;
    }

    private static int? FirstAt(List<ChannelStatus> rows, int group, IPEndPoint endPoint, HashSet<(int, int)> taken)
    {
        foreach (ChannelStatus row in rows.Where(r => r.Group == group).OrderBy(r => r.Index))
        {
            if (row.EndPoint.Equals(endPoint) && !taken.Contains((group, row.Index)))
            {
                return row.Index;
            }
        }

        return null;
    }

    private static string Format(IPEndPoint endPoint) => $"{endPoint.Address}:{endPoint.Port}";
}
