using System.Buffers;
using System.Net;
using System.Text.Json;

namespace Balance.Upgrade;

/// <summary>
/// The state document sent over the control connection during a takeover:
/// <code>
/// {"version":1,"channels":[{"group":0,"index":2,"address":"10.0.0.3","port":80,"nth":0,
///   "created":true,"assignedFrom":{"address":"10.0.0.9","port":80},"enabled":false,"maxc":5,"weight":2}]}
/// </code>
/// A field left out was not changed. Written and read without reflection
/// (native AOT); unknown properties are skipped, another version is refused.
/// </summary>
internal static class AdminStateDocument
{
    /// <summary>Larger than any table allows (groups × channels × a long line): a bigger document is refused.</summary>
    public const int MaxBytes = 1 << 20;

    public static byte[] Write(AdminState state)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", AdminState.Version);
            json.WriteStartArray("channels");
            foreach (ChannelChange c in state.Channels)
            {
                json.WriteStartObject();
                json.WriteNumber("group", c.Group);
                json.WriteNumber("index", c.Index);
                WriteEndPoint(json, c.EndPoint);
                json.WriteNumber("nth", c.Nth);
                if (c.Created)
                {
                    json.WriteBoolean("created", true);
                }

                if (c.AssignedFrom is not null)
                {
                    json.WriteStartObject("assignedFrom");
                    WriteEndPoint(json, c.AssignedFrom);
                    json.WriteEndObject();
                }

                if (c.Enabled is bool enabled)
                {
                    json.WriteBoolean("enabled", enabled);
                }

                if (c.MaxConnections is int maxc)
                {
                    json.WriteNumber("maxc", maxc);
                }

                if (c.Weight is int weight)
                {
                    json.WriteNumber("weight", weight);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteEndPoint(Utf8JsonWriter json, IPEndPoint endPoint)
    {
        json.WriteString("address", endPoint.Address.ToString());
        json.WriteNumber("port", endPoint.Port);
    }

    /// <summary>Reads a document; a malformed one is a <see cref="FormatException"/> with the reason.</summary>
    public static AdminState Read(ReadOnlySpan<byte> document)
    {
        try
        {
            var json = new Utf8JsonReader(document);
            Expect(json.Read() && json.TokenType == JsonTokenType.StartObject, "an object expected");
            int? version = null;
            var channels = new List<ChannelChange>();
            while (NextProperty(ref json) is string name)
            {
                switch (name)
                {
                    case "version":
                        version = json.GetInt32();
                        break;
                    case "channels":
                        Expect(json.TokenType == JsonTokenType.StartArray, "channels: an array expected");
                        while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                        {
                            channels.Add(ReadChannel(ref json));
                        }

                        break;
                    default:
                        json.Skip();
                        break;
                }
            }

            Expect(version == AdminState.Version, $"version {version?.ToString() ?? "missing"}, {AdminState.Version} expected");
            return new AdminState(channels);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static ChannelChange ReadChannel(ref Utf8JsonReader json)
    {
        Expect(json.TokenType == JsonTokenType.StartObject, "a channel object expected");
        int? group = null, index = null, nth = null, maxc = null, weight = null;
        bool created = false;
        bool? enabled = null;
        IPEndPoint? endPoint = null, assignedFrom = null;
        string? address = null;
        int? port = null;
        while (NextProperty(ref json) is string name)
        {
            switch (name)
            {
                case "group": group = json.GetInt32(); break;
                case "index": index = json.GetInt32(); break;
                case "nth": nth = json.GetInt32(); break;
                case "address": address = json.GetString(); break;
                case "port": port = json.GetInt32(); break;
                case "created": created = json.GetBoolean(); break;
                case "enabled": enabled = json.GetBoolean(); break;
                case "maxc": maxc = json.GetInt32(); break;
                case "weight": weight = json.GetInt32(); break;
                case "assignedFrom": assignedFrom = ReadEndPoint(ref json); break;
                default: json.Skip(); break;
            }
        }

        endPoint = EndPoint(address, port);
        Expect(group is >= 0 && index is >= 0 && nth is >= 0 or null, "a channel needs group and index");
        return new ChannelChange(group!.Value, index!.Value, endPoint, nth ?? 0, created, assignedFrom, enabled, maxc, weight);
    }

    private static IPEndPoint ReadEndPoint(ref Utf8JsonReader json)
    {
        Expect(json.TokenType == JsonTokenType.StartObject, "an address object expected");
        string? address = null;
        int? port = null;
        while (NextProperty(ref json) is string name)
        {
            switch (name)
            {
                case "address": address = json.GetString(); break;
                case "port": port = json.GetInt32(); break;
                default: json.Skip(); break;
            }
        }

        return EndPoint(address, port);
    }

    private static IPEndPoint EndPoint(string? address, int? port)
    {
        Expect(address is not null && IPAddress.TryParse(address, out _), $"bad address [{address}]");
        Expect(port is >= 0 and <= 65535, $"bad port [{port}]");
        return new IPEndPoint(IPAddress.Parse(address!), port!.Value);
    }

    /// <summary>The next property's name with the reader on its value, or null at the end of the object.</summary>
    private static string? NextProperty(ref Utf8JsonReader json)
    {
        Expect(json.Read(), "the document ends early");
        if (json.TokenType == JsonTokenType.EndObject)
        {
            return null;
        }

        string name = json.GetString()!;
        Expect(json.Read(), "the document ends early");
        return name;
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new FormatException($"state document: {what}");
        }
    }
}
