using System.Net;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// A real receiver of the PROXY protocol: nginx's stream module with
/// <c>listen ... proxy_protocol</c> sees the real client's address and port
/// through balance, for v1 and v2, over IPv4 and IPv6.
/// </summary>
public sealed class NginxProxyProtocolTests
{
    [NeedsNginxStreamTheory]
    [AllEngines("--send-proxy", "127.0.0.31")]
    [AllEngines("--send-proxy-v2", "127.0.0.32")]
    [AllEngines("--send-proxy", "::1")]
    [AllEngines("--send-proxy-v2", "::1")]
    public async Task Nginx_sees_the_real_client(string engine, string option, string client)
    {
        await using NginxStream nginx = await NginxStream.StartAsync();
        IPAddress source = IPAddress.Parse(client);
        string channel = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? $"127.0.0.1:{nginx.Port}" : $"[::1]:{nginx.Port}";
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Options = [option], Channels = [channel] });

        using var socket = await TestClient.ConnectAsync(proxy.Port, source, source.Equals(IPAddress.IPv6Loopback) ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        var self = (IPEndPoint)socket.LocalEndPoint!;
        string expected = $"{self.Address}:{self.Port}";
        Assert.Equal(expected, await TestClient.ReadLineAsync(socket));
        await Poll.UntilAsync(() => nginx.AccessLog.Contains(expected), TimeSpan.FromSeconds(10), "nginx to log the client");
    }
}
