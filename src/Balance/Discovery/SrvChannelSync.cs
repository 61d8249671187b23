using System.Net;
using Balance.CommandLine;
using Balance.Routing;

namespace Balance.Discovery;

/// <summary>
/// Turns one SRV answer into channels of the table. The lowest priority goes
/// to the group the <c>srv:</c> argument stands in, the next to the group
/// after it, and so on; the SRV weight is the channel weight (0, "only if
/// nothing else", and anything below 1 become 1; above 1000, 1000). A target
/// that appears is created (or an earlier one with its address enabled again)
/// and enabled; one that vanishes is disabled: its relays finish, no new
/// client goes there, and it keeps its number so that <c>show</c> and
/// <c>disable N</c> keep meaning the same channels. Channels that did not come
/// from this record (the command line, <c>create</c>) are left alone.
/// </summary>
internal sealed class SrvChannelSync
{
    private readonly RoutingTable _table;
    private readonly SrvSpec _spec;
    private readonly GroupType _type;

    /// <summary>The channels the last good answer gave, with their weights.</summary>
    private Dictionary<(int Group, IPEndPoint EndPoint), int> _present = new();

    public SrvChannelSync(RoutingTable table, SrvSpec spec, GroupType type)
    {
        _table = table;
        _spec = spec;
        _type = type;
    }

    /// <summary>The channels of the last good answer, for the log and the tests.</summary>
    public int Count => _present.Count;

    /// <summary>Where each target goes: group by priority rank, weight clamped.</summary>
    public static Dictionary<(int Group, IPEndPoint EndPoint), int> Plan(IReadOnlyList<SrvTarget> targets, int firstGroup)
    {
        int[] priorities = targets.Select(t => t.Priority).Distinct().Order().ToArray();
        var plan = new Dictionary<(int, IPEndPoint), int>();
        foreach (SrvTarget target in targets)
        {
            int group = firstGroup + Array.IndexOf(priorities, target.Priority);
            if (RoutingTable.IsValidGroup(group))
            {
                plan.TryAdd((group, target.EndPoint), Math.Clamp(target.Weight, Channel.MinWeight, Channel.MaxWeight));
            }
        }

        return plan;
    }

    /// <summary>Brings the table in line with a good answer; returns how many channels came and went.</summary>
    public (int Added, int Removed) Apply(IReadOnlyList<SrvTarget> targets)
    {
        Dictionary<(int Group, IPEndPoint EndPoint), int> plan = Plan(targets, _spec.Group);
        int added = 0, removed = 0;
        foreach (((int group, IPEndPoint endPoint), int weight) in plan)
        {
            bool known = _present.TryGetValue((group, endPoint), out int had);
            int index = _table.IndexOf(group, endPoint);
            if (index < 0)
            {
                if (_table.ChannelCount(group) == 0 && group != _spec.Group)
                {
                    _ = _table.SetType(group, _type); // a failover group the command line did not name
                }

                if (_table.Create(group, endPoint) != ControlResult.Done)
                {
                    continue; // no slot left: the channel is not there, tried again next time
                }

                index = _table.IndexOf(group, endPoint);
                _ = _table.SetMaxConnections(group, index, _spec.MaxConnections);
            }

            if (!known || had != weight)
            {
                _ = _table.SetWeight(group, index, weight);
            }

            if (!known)
            {
                _ = _table.SetEnabled(group, index, enabled: true);
                added++;
            }
        }

        foreach ((int group, IPEndPoint endPoint) in _present.Keys)
        {
            if (!plan.ContainsKey((group, endPoint)))
            {
                int index = _table.IndexOf(group, endPoint);
                if (index >= 0)
                {
                    _ = _table.SetEnabled(group, index, enabled: false);
                }

                removed++;
            }
        }

        _present = plan.Where(p => _table.IndexOf(p.Key.Group, p.Key.EndPoint) >= 0).ToDictionary();
        return (added, removed);
    }
}
