using System.Globalization;
using System.Net;
using Balance.Control;
using Balance.Routing;

namespace Balance.Cluster;

/// <summary>
/// Applies a change another instance (or this one, earlier) wrote to etcd to
/// the local table, straight on the table: nothing applied here is written
/// back. A change for a channel this instance does not have creates it, as
/// <c>create</c> would, so instances converge on the same channels.
/// </summary>
internal sealed class SharedStateApplier
{
    private readonly RoutingTable _table;

    public SharedStateApplier(RoutingTable table)
    {
        _table = table;
    }

    public void Apply(OperatorChange change)
    {
        (int group, IPEndPoint endPoint) = (change.Group, change.EndPoint);
        int index = _table.IndexOf(group, endPoint);
        if (change.Attribute == SharedAttribute.From)
        {
            if (index < 0)
            {
                int old = _table.IndexOf(group, IPEndPoint.Parse(change.Value));
                if (old < 0 || _table.Status(group, old) is not { Enabled: false }
                    || _table.Assign(group, old, endPoint) != ControlResult.Done)
                {
                    _ = _table.Create(group, endPoint);
                }
            }

            return;
        }

        if (index < 0)
        {
            if (_table.Create(group, endPoint) != ControlResult.Done)
            {
                return;
            }

            index = _table.IndexOf(group, endPoint);
        }

        int number = int.Parse(change.Value, NumberStyles.None, CultureInfo.InvariantCulture);
        _ = change.Attribute switch
        {
            SharedAttribute.Enabled => _table.SetEnabled(group, index, number == 1),
            SharedAttribute.Maxc => _table.SetMaxConnections(group, index, number),
            _ => _table.SetWeight(group, index, number),
        };
    }
}
