using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Balance.Cluster;

/// <summary>
/// The JSON of etcd's gRPC gateway (keys and values in base64, 64-bit numbers
/// as strings), written with Utf8JsonWriter and read with JsonDocument: no
/// reflection, so native AOT stays clean. Anything malformed is a
/// <see cref="FormatException"/> or <see cref="JsonException"/>, never a crash.
/// </summary>
internal static class EtcdJson
{
    public static byte[] RangeRequest(string prefix) => Write(w =>
    {
        w.WriteString("key", B64(prefix));
        w.WriteString("range_end", B64(PrefixEnd(prefix)));
    });

    public static byte[] PutRequest(string key, string value) => Write(w =>
    {
        w.WriteString("key", B64(key));
        w.WriteString("value", B64(value));
    });

    public static byte[] WatchRequest(string prefix, long startRevision) => Write(w =>
    {
        w.WriteStartObject("create_request");
        w.WriteString("key", B64(prefix));
        w.WriteString("range_end", B64(PrefixEnd(prefix)));
        w.WriteString("start_revision", startRevision.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    });

    /// <summary>A range answer: the store's revision and the keys.</summary>
    public static (long Revision, List<EtcdKeyValue> Values) ReadRange(ReadOnlySpan<byte> json)
    {
        using JsonDocument doc = JsonDocument.Parse(json.ToArray());
        JsonElement root = doc.RootElement;
        long revision = Number(root.GetProperty("header"), "revision");
        var values = new List<EtcdKeyValue>();
        if (root.TryGetProperty("kvs", out JsonElement kvs))
        {
            foreach (JsonElement kv in kvs.EnumerateArray())
            {
                values.Add(KeyValue(kv, deleted: false));
            }
        }

        return (revision, values);
    }

    /// <summary>The revision a put was given.</summary>
    public static long ReadPut(ReadOnlySpan<byte> json)
    {
        using JsonDocument doc = JsonDocument.Parse(json.ToArray());
        return Number(doc.RootElement.GetProperty("header"), "revision");
    }

    /// <summary>
    /// One message of the watch stream: its events, and whether the watch
    /// ended (canceled, or its start revision compacted away).
    /// </summary>
    public static (List<EtcdKeyValue> Events, bool Ended) ReadWatch(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        if (doc.RootElement.TryGetProperty("error", out _))
        {
            return ([], true);
        }

        JsonElement result = doc.RootElement.GetProperty("result");
        bool ended = (result.TryGetProperty("canceled", out JsonElement canceled) && canceled.ValueKind == JsonValueKind.True)
            || (result.TryGetProperty("compact_revision", out JsonElement compact) && compact.ValueKind == JsonValueKind.String && compact.GetString() != "0");
        var events = new List<EtcdKeyValue>();
        if (result.TryGetProperty("events", out JsonElement list))
        {
            foreach (JsonElement e in list.EnumerateArray())
            {
                bool deleted = e.TryGetProperty("type", out JsonElement type) && type.GetString() == "DELETE";
                events.Add(KeyValue(e.GetProperty("kv"), deleted));
            }
        }

        return (events, ended);
    }

    private static EtcdKeyValue KeyValue(JsonElement kv, bool deleted) => new(
        Text(kv, "key"),
        kv.TryGetProperty("value", out _) ? Text(kv, "value") : "",
        kv.TryGetProperty("mod_revision", out _) ? Number(kv, "mod_revision") : 0,
        deleted);

    private static string Text(JsonElement element, string name) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(element.GetProperty(name).GetString() ?? throw new FormatException(name)));

    private static long Number(JsonElement element, string name)
    {
        JsonElement value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.Number ? value.GetInt64() : long.Parse(value.GetString() ?? "", NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The range end covering every key that starts with <paramref name="prefix"/> (its last byte plus one).</summary>
    private static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
