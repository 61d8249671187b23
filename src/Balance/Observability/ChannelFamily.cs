using Balance.Routing;

namespace Balance.Observability;

/// <summary>A family with one sample per channel, read from the channel's status row.</summary>
internal sealed record ChannelFamily(string Name, string Type, string Help, Func<ChannelStatus, long> Value)
{
    /// <summary><see cref="Name"/> as samples are written with it.</summary>
    public byte[] NameBytes { get; } = ExpositionWriter.Name(Name);

    /// <summary>The per-channel families, in exposition order. A new one is a row here.</summary>
    public static IReadOnlyList<ChannelFamily> Standard { get; } =
    [
        new("balance_channel_current_connections", "gauge",
            "Connections open to the channel now, connects in progress included (show's c).", r => r.Connections),
        new("balance_channel_connections_total", "counter",
            "Connections sent to the channel since start, failed connects included (show's totalc; reset does not clear it).",
            r => r.Lifetime.Connections),
        new("balance_channel_max_connections", "gauge",
            "The channel's connection limit (show's maxc); 0 means unlimited.", r => r.MaxConnections),
        new("balance_channel_sent_bytes_total", "counter",
            "Bytes relayed from clients to the channel since start (show's sent; reset does not clear it).",
            r => r.Lifetime.BytesSent),
        new("balance_channel_received_bytes_total", "counter",
            "Bytes relayed from the channel to clients since start (show's rcvd; reset does not clear it).",
            r => r.Lifetime.BytesReceived),
        new("balance_channel_enabled", "gauge",
            "1 when the channel is enabled (show's ENA), 0 when disabled by the operator or by autodisable.",
            r => r.Enabled ? 1 : 0),
    ];

    /// <summary>Health: written only while checks run (--check), so without them the scrape is as before.</summary>
    public static ChannelFamily Up { get; } = new("balance_channel_up", "gauge",
        "1 when health checks find the channel UP (or have not judged it yet), 0 when DOWN.",
        r => r.Health == ChannelHealth.Down ? 0 : 1);

    /// <summary>The families for an instance: <see cref="Standard"/>, and <see cref="Up"/> with health checks.</summary>
    public static IReadOnlyList<ChannelFamily> For(bool healthChecks) => healthChecks ? [.. Standard, Up] : Standard;
}
