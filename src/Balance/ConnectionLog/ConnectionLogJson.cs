using System.Net;
using System.Text;
using System.Text.Json;

namespace Balance.ConnectionLog;

/// <summary>
/// --log-format json: the same fields as the text line, one JSON object per
/// line, written with Utf8JsonWriter (AOT-safe, escaped):
/// <c>{"time":"...","client":"192.0.2.7","clientPort":51234,"group":0,"channel":1,
/// "backend":"10.0.0.2:80","connectMs":1,"durationMs":2042,"sent":512,"rcvd":10240,
/// "end":"client-closed"}</c>; group, channel, backend and connectMs are null
/// when no channel took the client.
/// </summary>
internal sealed class ConnectionLogJson : IConnectionLineFormat
{
    public string Format(in ConnectionRecord record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", ConnectionLogText.TimeText(record.Start));
            IPAddress client = new(record.ClientBytes);
            json.WriteString("client", (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString());
            json.WriteNumber("clientPort", record.ClientPort);
            if (record.Backend is { } backend)
            {
                json.WriteNumber("group", record.Group);
                json.WriteNumber("channel", record.Channel);
                json.WriteString("backend", ConnectionLogText.EndPointText(backend.Address, backend.Port));
                json.WriteNumber("connectMs", record.ConnectMs);
            }
            else
            {
                json.WriteNull("group");
                json.WriteNull("channel");
                json.WriteNull("backend");
                json.WriteNull("connectMs");
            }

            json.WriteNumber("durationMs", record.DurationMs);
            json.WriteNumber("sent", record.Sent);
            json.WriteNumber("rcvd", record.Received);
            json.WriteString("end", EndReasonNames.Of(record.Reason));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
