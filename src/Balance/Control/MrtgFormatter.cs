using System.Globalization;
using Balance.Routing;

namespace Balance.Control;

/// <summary>The four-line answers MRTG reads: two values, uptime and the target's name.</summary>
internal static class MrtgFormatter
{
    /// <summary>MRTG's "in" is what came back from the channel, "out" what was sent to it.</summary>
    public static string Bytes(ChannelStatus row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.BytesReceived}\n{row.BytesSent}\nUNKNOWN\ngroup {row.Group} channel {row.Index}\n");

    public static string Connections(ChannelStatus row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.TotalConnections}\nUNKNOWN\nUNKNOWN\ngroup {row.Group} channel {row.Index}\n");
}
