using System.Net;
using System.Net.Sockets;
using System.Text;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --send-proxy and --send-proxy-v2 through the real binary: what the backend
/// receives first, byte for byte, before the client's data; the header is
/// counted in neither sent nor rcvd.
/// </summary>
public sealed class SendProxyEndToEndTests
{
    private static readonly byte[] Payload = "hello backend\n"u8.ToArray();

    private static byte[] ExpectedV1(IPEndPoint client, IPEndPoint proxy)
    {
        string family = client.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes($"PROXY {family} {client.Address} {proxy.Address} {client.Port} {proxy.Port}\r\n");
    }

    private static byte[] ExpectedV2(IPEndPoint client, IPEndPoint proxy)
    {
        bool v4 = client.AddressFamily == AddressFamily.InterNetwork;
        byte[] ports = [(byte)(client.Port >> 8), (byte)client.Port, (byte)(proxy.Port >> 8), (byte)proxy.Port];
        return
        [
            .. "\r\n\r\n\0\r\nQUIT\n"u8, 0x21, (byte)(v4 ? 0x11 : 0x21), 0, (byte)(v4 ? 12 : 36),
            .. client.Address.GetAddressBytes(), .. proxy.Address.GetAddressBytes(), .. ports,
        ];
    }

    private static async Task Check(string engine, string option, IPAddress clientSource, IPAddress proxyAddress, Func<IPEndPoint, IPEndPoint, byte[]> expected)
    {
        using var receiver = new RawReceiver();
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = [option],
            Channels = [receiver.Channel],
        });
        using Socket client = await TestClient.ConnectAsync(proxy.Port, clientSource, proxyAddress);
        await client.SendAsync(Payload, SocketFlags.None);
        var clientEnd = (IPEndPoint)client.LocalEndPoint!;
        byte[] header = expected(clientEnd, new IPEndPoint(proxyAddress, proxy.Port));
        byte[] received = await receiver.ReceiveAsync(header.Length + Payload.Length);
        Assert.Equal([.. header, .. Payload], received);

        Assert.Equal("ok", await TestClient.ReadLineAsync(client));
        await Poll.UntilAsync(
            async () => (await ControlQuery.ChannelAsync(proxy.ControlSocket, 0, 0)).GetProperty("bytesSent").GetInt64() == Payload.Length,
            TimeSpan.FromSeconds(10),
            "sent to count the client's bytes");
        var channel = await ControlQuery.ChannelAsync(proxy.ControlSocket, 0, 0);
        Assert.Equal(Payload.Length, channel.GetProperty("bytesSent").GetInt64()); // not the header
        Assert.Equal(3, channel.GetProperty("bytesReceived").GetInt64());
    }

    [Theory]
    [AllEngines]
    public Task V1_over_IPv4_names_the_clients_own_address_and_port(string engine) =>
        Check(engine, "--send-proxy", IPAddress.Parse("127.0.0.7"), IPAddress.Loopback, ExpectedV1);

    [Theory]
    [AllEngines]
    public Task V1_over_IPv6(string engine) =>
        Check(engine, "--send-proxy", IPAddress.IPv6Loopback, IPAddress.IPv6Loopback, ExpectedV1);

    [Theory]
    [AllEngines]
    public Task V2_over_IPv4(string engine) =>
        Check(engine, "--send-proxy-v2", IPAddress.Parse("127.0.0.8"), IPAddress.Loopback, ExpectedV2);

    [Theory]
    [AllEngines]
    public Task V2_over_IPv6(string engine) =>
        Check(engine, "--send-proxy-v2", IPAddress.IPv6Loopback, IPAddress.IPv6Loopback, ExpectedV2);
}
