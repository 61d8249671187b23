using System.Net;
using Balance.Routing;

namespace Balance.Control;

/// <summary>What an operator's command changed on a channel, named by group and address.</summary>
internal enum SharedAttribute
{
    /// <summary><c>enable</c> (1) and <c>disable</c> (0); <c>create</c> publishes a disabled channel.</summary>
    Enabled,
    Maxc,
    Weight,

    /// <summary><c>assign</c>: the value is the address the channel had before.</summary>
    From,
}

/// <summary>One operator change, to be shared with the other instances of a cluster.</summary>
internal readonly record struct OperatorChange(int Group, IPEndPoint EndPoint, SharedAttribute Attribute, string Value);

/// <summary>
/// Where operator changes go to be shared. Must not block on the network:
/// the control client waits for its answer.
/// </summary>
internal interface IOperatorChanges
{
    /// <summary>
    /// Records <paramref name="change"/> for the others and makes it here
    /// with <paramref name="local"/>, as one step against changes coming in
    /// from the others: an older value arriving meanwhile cannot undo it.
    /// </summary>
    ControlResult Apply(OperatorChange change, Func<ControlResult> local);

    /// <summary>A change already made here (a channel created or reassigned), to be shared.</summary>
    void Changed(OperatorChange change);
}
