using System.Net;
using System.Text;
using Balance.Upgrade;

namespace Balance.Tests.Upgrade;

public sealed class AdminStateDocumentTests
{
    private static IPEndPoint At(string address, int port) => new(IPAddress.Parse(address), port);

    [Fact]
    public void EveryKindOfChangeSurvivesTheRoundTrip()
    {
        var state = new AdminState(new[]
        {
            new ChannelChange(0, 1, At("198.51.100.2", 80), Enabled: false),
            new ChannelChange(0, 2, At("198.51.100.3", 80), Nth: 1, Created: true, Enabled: true, MaxConnections: 0, Weight: 7),
            new ChannelChange(1, 0, At("::1", 8080), AssignedFrom: At("198.51.100.11", 81), MaxConnections: 5),
        });

        AdminState read = AdminStateDocument.Read(AdminStateDocument.Write(state));

        Assert.Equal(state.Channels, read.Channels);
    }

    [Fact]
    public void AFieldLeftOutIsUnchanged()
    {
        AdminState read = AdminStateDocument.Read(
            """{"version":1,"channels":[{"group":2,"index":3,"address":"127.0.0.1","port":9,"maxc":4,"future":{"x":[1]}}],"more":true}"""u8);

        ChannelChange only = Assert.Single(read.Channels);
        Assert.Equal(new ChannelChange(2, 3, At("127.0.0.1", 9), MaxConnections: 4), only);
        Assert.Null(only.Enabled);
        Assert.Null(only.Weight);
    }

    [Fact]
    public void TheDocumentIsCompactJson()
    {
        string text = Encoding.UTF8.GetString(AdminStateDocument.Write(new AdminState(new[]
        {
            new ChannelChange(0, 1, At("198.51.100.2", 80), Enabled: false),
        })));

        Assert.Equal("""{"version":1,"channels":[{"group":0,"index":1,"address":"198.51.100.2","port":80,"nth":0,"enabled":false}]}""", text);
    }

    [Theory]
    [InlineData("""{"version":2,"channels":[]}""", "version 2")]
    [InlineData("""{"channels":[]}""", "version missing")]
    [InlineData("""{"version":1,"channels":[{"group":0,"index":0,"address":"not-an-ip","port":1}]}""", "bad address")]
    [InlineData("""{"version":1,"channels":[{"group":0,"index":0,"address":"127.0.0.1","port":70000}]}""", "bad port")]
    [InlineData("""{"version":1,"channels":[{"address":"127.0.0.1","port":1}]}""", "group and index")]
    [InlineData("""{"version":1,"channels":[""", "")]
    [InlineData("[]", "an object expected")]
    public void AMalformedDocumentIsAFormatError(string document, string reason)
    {
        var e = Assert.Throws<FormatException>(() => AdminStateDocument.Read(Encoding.UTF8.GetBytes(document)));
        Assert.Contains(reason, e.Message);
    }
}
