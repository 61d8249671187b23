using System.Text;
using System.Text.Json;
using Balance.Cluster;
using CsCheck;

namespace Balance.Tests.Cluster;

public sealed class EtcdJsonTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void ARangeRequestCoversThePrefix()
    {
        using JsonDocument doc = JsonDocument.Parse(EtcdJson.RangeRequest("/balance/x/"));
        Assert.Equal(B64("/balance/x/"), doc.RootElement.GetProperty("key").GetString());
        Assert.Equal(B64("/balance/x0"), doc.RootElement.GetProperty("range_end").GetString());
    }

    [Fact]
    public void ReadsARangeAnswer()
    {
        string json = $$"""{"header":{"revision":"42"},"kvs":[{"key":"{{B64("/k")}}","value":"{{B64("1")}}","mod_revision":"7"},{"key":"{{B64("/e")}}","mod_revision":"9"}],"count":"2"}""";
        (long revision, List<EtcdKeyValue> values) = EtcdJson.ReadRange(Encoding.UTF8.GetBytes(json));
        Assert.Equal(42, revision);
        Assert.Equal([new EtcdKeyValue("/k", "1", 7), new EtcdKeyValue("/e", "", 9)], values);
    }

    [Fact]
    public void ReadsWatchMessages()
    {
        Assert.Equal((0, false), Count(EtcdJson.ReadWatch("""{"result":{"header":{"revision":"3"},"created":true}}""")));
        var (events, ended) = EtcdJson.ReadWatch($$$"""{"result":{"header":{},"events":[{"kv":{"key":"{{{B64("/a")}}}","value":"{{{B64("0")}}}","mod_revision":"5"}},{"type":"DELETE","kv":{"key":"{{{B64("/b")}}}","mod_revision":"6"}}]}}""");
        Assert.False(ended);
        Assert.Equal([new EtcdKeyValue("/a", "0", 5), new EtcdKeyValue("/b", "", 6, Deleted: true)], events);
        Assert.True(EtcdJson.ReadWatch("""{"result":{"header":{},"canceled":true,"compact_revision":"10"}}""").Ended);
        Assert.True(EtcdJson.ReadWatch("""{"error":{"grpc_code":14}}""").Ended);
    }

    private static (int, bool) Count((List<EtcdKeyValue> Events, bool Ended) r) => (r.Events.Count, r.Ended);

    /// <summary>Whatever a server sends fails in the exceptions the follower catches, nothing else.</summary>
    [Fact]
    public void GarbageFailsOnlyWithFormatErrors() =>
        Gen.String.Sample(text =>
        {
            foreach (string candidate in new[] { text, "{\"result\":" + text + "}", "{\"header\":{\"revision\":" + text + "}}" })
            {
                try
                {
                    _ = EtcdJson.ReadWatch(candidate);
                    _ = EtcdJson.ReadRange(Encoding.UTF8.GetBytes(candidate));
                }
                catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
                {
                }
            }
        }, iter: 5_000);
}
