using System.Globalization;
using System.Text;
using System.Text.Json;
using Balance.Routing;

namespace Balance.Control;

/// <summary>
/// <c>show json</c>: the same rows as the table, with each channel's weight,
/// and the queue at maxc when there is one; one JSON object on one line,
/// written with Utf8JsonWriter (no reflection, so native AOT keeps working).
/// </summary>
internal static class ShowJsonFormatter
{
    public static string Format(IReadOnlyList<ChannelStatus> rows, int pid, QueueStatus? queue = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("version", Balance.Version.Text);
            json.WriteNumber("pid", pid);
            json.WriteStartArray("groups");
            foreach (IGrouping<int, ChannelStatus> group in rows.GroupBy(r => r.Group))
            {
                WriteGroup(json, group);
            }

            json.WriteEndArray();
            if (queue is QueueStatus q)
            {
                WriteQueue(json, q);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length) + "\n";
    }

    private static void WriteGroup(Utf8JsonWriter json, IGrouping<int, ChannelStatus> group)
    {
        json.WriteStartObject();
        json.WriteNumber("group", group.Key);
        json.WriteString("type", group.First().Type.Name);
        json.WriteStartArray("channels");
        foreach (ChannelStatus row in group)
        {
            json.WriteStartObject();
            json.WriteNumber("channel", row.Index);
            json.WriteBoolean("enabled", row.Enabled);
            json.WriteString("address", ShowFormatter.AddressText(row));
            json.WriteNumber("port", row.EndPoint.Port);
            json.WriteNumber("connections", row.Connections);
            json.WriteNumber("totalConnections", row.TotalConnections);
            json.WriteNumber("maxConnections", row.MaxConnections);
            json.WriteNumber("bytesSent", row.BytesSent);
            json.WriteNumber("bytesReceived", row.BytesReceived);
            json.WriteNumber("weight", row.Weight);
            if (row.Checks is HealthDetails checks)
            {
                WriteHealth(json, row.Health, checks);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The health object (with --check only): verdict, runs of passed and failed checks, the last check, the last change.</summary>
    private static void WriteHealth(Utf8JsonWriter json, ChannelHealth health, HealthDetails checks)
    {
        json.WriteStartObject("health");
        json.WriteString("state", health switch
        {
            ChannelHealth.Up => "up",
            ChannelHealth.Down => "down",
            _ => "unknown",
        });
        json.WriteNumber("successes", checks.Successes);
        json.WriteNumber("failures", checks.Failures);
        if (checks.LastCheck is null)
        {
            json.WriteNull("lastCheck");
        }
        else
        {
            json.WriteString("lastCheck", checks.LastCheck);
        }

        if (checks.LastCheckMilliseconds is double took)
        {
            json.WriteNumber("lastCheckMs", Math.Round(took, 3));
        }
        else
        {
            json.WriteNull("lastCheckMs");
        }

        if (checks.LastChange is DateTimeOffset changed)
        {
            json.WriteString("lastChange", changed.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull("lastChange");
        }

        json.WriteEndObject();
    }

    private static void WriteQueue(Utf8JsonWriter json, QueueStatus queue)
    {
        json.WriteStartObject("queue");
        json.WriteNumber("waiting", queue.Waiting);
        json.WriteNumber("limit", queue.Limit);
        json.WriteNumber("served", queue.Served);
        json.WriteNumber("timedOut", queue.TimedOut);
        json.WriteNumber("turnedAway", queue.TurnedAway);
        json.WriteEndObject();
    }
}
