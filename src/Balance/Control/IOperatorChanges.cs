using System.Net;

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
/// Told of every operator change the control commands made (after it is made
/// locally). Must not block: the control client waits for its answer.
/// </summary>
internal interface IOperatorChanges
{
    void Changed(OperatorChange change);
}
