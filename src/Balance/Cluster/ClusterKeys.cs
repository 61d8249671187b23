using System.Globalization;
using System.Net;
using Balance.Control;

namespace Balance.Cluster;

/// <summary>
/// The layout in etcd: <c>/balance/NAME/channels/GROUP/ADDRESS/ATTRIBUTE</c>,
/// ADDRESS as <c>a.b.c.d:port</c> or <c>[v6]:port</c>, ATTRIBUTE one of
/// <c>enabled</c> (1 or 0), <c>maxc</c>, <c>weight</c>, <c>from</c> (the
/// address an <c>assign</c> replaced). A channel is named by group and
/// address, never by its number: instances whose channels came in different
/// orders agree on what a key means.
/// </summary>
internal static class ClusterKeys
{
    public static string Prefix(string cluster) => $"/balance/{cluster}/channels/";

    public static string Key(string cluster, OperatorChange change) =>
        Invariant($"{Prefix(cluster)}{change.Group}/{change.EndPoint}/{Name(change.Attribute)}");

    /// <summary>Reads a key below the prefix back; false for anything not made by <see cref="Key"/>.</summary>
    public static bool TryParse(string cluster, string key, string value, out OperatorChange change)
    {
        change = default;
        string prefix = Prefix(cluster);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = key[prefix.Length..].Split('/');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int group)
            || !Routing.RoutingTable.IsValidGroup(group)
            || !IPEndPoint.TryParse(parts[1], out IPEndPoint? endPoint) || endPoint.Port == 0
            || Attribute(parts[2]) is not SharedAttribute attribute
            || !IsValidValue(attribute, value))
        {
            return false;
        }

        change = new OperatorChange(group, endPoint, attribute, value);
        return true;
    }

    private static bool IsValidValue(SharedAttribute attribute, string value) => attribute switch
    {
        SharedAttribute.Enabled => value is "0" or "1",
        SharedAttribute.Maxc => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        SharedAttribute.Weight => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && w is >= Routing.Channel.MinWeight and <= Routing.Channel.MaxWeight,
        _ => IPEndPoint.TryParse(value, out IPEndPoint? from) && from.Port != 0,
    };

    private static string Name(SharedAttribute attribute) => attribute switch
    {
        SharedAttribute.Enabled => "enabled",
        SharedAttribute.Maxc => "maxc",
        SharedAttribute.Weight => "weight",
        _ => "from",
    };

    private static SharedAttribute? Attribute(string name) => name switch
    {
        "enabled" => SharedAttribute.Enabled,
        "maxc" => SharedAttribute.Maxc,
        "weight" => SharedAttribute.Weight,
        "from" => SharedAttribute.From,
        _ => null,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
