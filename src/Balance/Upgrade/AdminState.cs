using System.Net;

namespace Balance.Upgrade;

/// <summary>
/// What the operator changed in a running instance through the control
/// socket, relative to its command line: the part of its state a successor
/// started with <c>--takeover</c> carries over. Counters and health are not
/// in it: they start over.
/// </summary>
/// <param name="Channels">Changed and created channels, in group and index order.</param>
internal sealed record AdminState(IReadOnlyList<ChannelChange> Channels)
{
    /// <summary>The version of the document; a reader refuses any other.</summary>
    public const int Version = 1;

    public static readonly AdminState Empty = new(Array.Empty<ChannelChange>());
}

/// <summary>
/// One channel the operator changed or created. A null field was not changed
/// (the successor's command line decides); a created channel has them all.
/// </summary>
/// <param name="Group">The group it is in.</param>
/// <param name="Index">Its index in the old instance (for messages; matching is by address).</param>
/// <param name="EndPoint">Its address and port now.</param>
/// <param name="Nth">How many channels before it in its group have the same address and port (0 for the first).</param>
/// <param name="Created">Created with <c>create</c>, not on the command line.</param>
/// <param name="AssignedFrom">The command line's address when <c>assign</c> moved it, else null.</param>
internal sealed record ChannelChange(
    int Group,
    int Index,
    IPEndPoint EndPoint,
    int Nth = 0,
    bool Created = false,
    IPEndPoint? AssignedFrom = null,
    bool? Enabled = null,
    int? MaxConnections = null,
    int? Weight = null);
