using System.Globalization;

namespace Balance.Tests.Support;

/// <summary>
/// balance started with <c>--http 127.0.0.1:PORT</c> in front of test
/// backends: the proxy, and the port of its metrics and status page.
/// </summary>
internal static class HttpProxy
{
    public static async Task<(ProxyFixture Proxy, int HttpPort)> StartAsync(string engine, ProxySetup setup)
    {
        int httpPort = FreePort.Next();
        ProxyFixture proxy = await ProxyFixture.StartAsync(engine, setup with
        {
            Options = [.. setup.Options, "--http", $"127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}"],
        });
        await Poll.UntilAsync(() => TcpTable.IsListening(httpPort), TimeSpan.FromSeconds(10), $"balance to serve HTTP on {httpPort}");
        return (proxy, httpPort);
    }

    /// <summary>GET <paramref name="path"/>; throws unless the answer is 200.</summary>
    public static async Task<string> GetAsync(int httpPort, string path)
    {
        HttpAnswer answer = await HttpAnswer.GetAsync(httpPort, path);
        return answer.Status == 200 ? answer.Body : throw new InvalidDataException($"GET {path}: {answer.Status}");
    }
}
