namespace Balance.Routing;

/// <summary>
/// A group's distribution scheme: how the command line ends such a group,
/// the control command that sets it, what <c>show</c> and <c>show json</c>
/// call it, and the policy that does the choosing. A new scheme is one more
/// instance here and one policy class.
/// </summary>
internal sealed class GroupType
{
    /// <summary>In turn from the group's position, by weight (the "!" separator; every group's default).</summary>
    public static readonly GroupType RoundRobin = new("rr", "RR", "round robin", "!", () => new Policies.RoundRobinPolicy());

    /// <summary>By the client's address, on a consistent (Maglev) table (the "%" separator).</summary>
    public static readonly GroupType Hash = new("hash", "Hash", "hash", "%", () => new Policies.ConsistentHashPolicy());

    /// <summary>
    /// To the channel with the fewest connections for its weight (the "@"
    /// separator: a word no common shell expands, so it needs no quoting,
    /// and not a character a host name or address can start with).
    /// </summary>
    public static readonly GroupType LeastConnections = new("leastconn", "LC", "least connections", "@", () => new Policies.LeastConnectionsPolicy());

    /// <summary>
    /// A hash group on the client hash modulo the channels (--hash-type
    /// modulo): the mapping of earlier versions, for instances that must
    /// agree with them. What "%" and <c>hash</c> mean then; not chosen by a
    /// word of its own.
    /// </summary>
    public static readonly GroupType ModuloHash = new("hash", "Hash", "hash", "%", () => new Policies.HashPolicy());

    /// <summary>The schemes a separator or a control command names.</summary>
    public static readonly IReadOnlyList<GroupType> All = [RoundRobin, Hash, LeastConnections];

    private readonly Func<IChannelPolicy> _createPolicy;

    private GroupType(string name, string showName, string description, string separator, Func<IChannelPolicy> createPolicy)
    {
        Name = name;
        ShowName = showName;
        Description = description;
        Separator = separator;
        _createPolicy = createPolicy;
    }

    /// <summary>The control command that sets it, and its name in <c>show json</c>.</summary>
    public string Name { get; }

    /// <summary><c>show</c>'s Type column.</summary>
    public string ShowName { get; }

    /// <summary>As the control command's reply words it: <c>group G set to DESCRIPTION</c>.</summary>
    public string Description { get; }

    /// <summary>The command-line word that ends a group of this type.</summary>
    public string Separator { get; }

    /// <summary>A policy for one group: a scheme that keeps state per group (a lookup table) keeps it there.</summary>
    public IChannelPolicy CreatePolicy() => _createPolicy();

    public static GroupType? FromSeparator(string word) => All.FirstOrDefault(t => t.Separator == word);

    public override string ToString() => Name;
}
