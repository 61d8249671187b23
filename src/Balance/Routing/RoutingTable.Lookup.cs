using System.Net;

namespace Balance.Routing;

/// <summary>
/// Channels found by their address rather than their number: instances whose
/// channels came in different orders (DNS, another instance's <c>create</c>)
/// name a channel by group and address to each other.
/// </summary>
internal sealed partial class RoutingTable
{
    /// <summary>The number of the channel with <paramref name="endPoint"/> in <paramref name="group"/>, or -1.</summary>
    public int IndexOf(int group, IPEndPoint endPoint)
    {
        if (!IsValidGroup(group))
        {
            return -1;
        }

        lock (_sync)
        {
            return _groups[group].Channels.FindIndex(ch => ch.EndPoint.Equals(endPoint));
        }
    }
}
