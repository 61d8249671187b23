using System.Net;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// <c>-b ::ffff:a.b.c.d</c>: an IPv6 listener bound to an IPv4-mapped address
/// serves IPv4 clients, and a hash group hashes them as plain IPv4 addresses.
/// </summary>
public sealed class MappedListenAddressTests
{
    private const int Clients = 24;

    [Theory]
    [AllEngines]
    public async Task AMappedListenAddressServesIPv4ClientsAndIsControlledByIt(string engine)
    {
        using var backend = new TestBackend("web");
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", "-b", "::ffff:127.0.0.1", port.ToString(), $"127.0.0.1:{backend.Port}");

        Assert.Equal("web", await TestClient.WhoAnswersAsync(port));

        // The shell finds the instance by the same -b; the relay's end is
        // waited for, the shell's answer is the proof.
        string row = $"127.0.0.1 {backend.Port,5}    0           1";
        await Poll.UntilAsync(
            async () => (await BalanceProcess.RunAsync("-b", "::ffff:127.0.0.1", "-c", "show", port.ToString())).Stdout.Contains(row),
            TimeSpan.FromSeconds(10),
            $"show through -b ::ffff:127.0.0.1 to list the channel as [{row}]");
    }

    /// <summary>
    /// Group 0's only channel refuses, so every client reaches the hash group
    /// by failover; each client address must land where a plain IPv4 listener
    /// sends it, and the addresses must spread over the channels.
    /// </summary>
    [Theory]
    [AllEngines]
    public async Task AHashGroupReachedByFailoverHashesMappedClientsAsIPv4(string engine)
    {
        using var a = new TestBackend("a");
        using var b = new TestBackend("b");
        using var c = new TestBackend("c");
        int refused = FreePort.Next();
        string[] channels = [$"127.0.0.1:{refused}", "!", $"127.0.0.1:{a.Port}", $"127.0.0.1:{b.Port}", $"127.0.0.1:{c.Port}", "%"];
        int mappedPort = FreePort.Next();
        int plainPort = FreePort.Next();
        using var mapped = await BalanceProcess.StartProxyAsync(
            mappedPort, Engines.Environment(engine), ["-f", "-b", "::ffff:127.0.0.1", mappedPort.ToString(), .. channels]);
        using var plain = await BalanceProcess.StartProxyAsync(
            plainPort, Engines.Environment(engine), ["-f", "-b", "127.0.0.1", plainPort.ToString(), .. channels]);

        var seen = new HashSet<string>();
        for (int i = 0; i < Clients; i++)
        {
            var client = IPAddress.Parse($"127.0.{i}.{10 + i}");
            string throughMapped = await TestClient.WhoAnswersAsync(mappedPort, client);
            string throughPlain = await TestClient.WhoAnswersAsync(plainPort, client);
            Assert.Equal(throughPlain, throughMapped);
            Assert.Equal(throughMapped, await TestClient.WhoAnswersAsync(mappedPort, client));
            seen.Add(throughMapped);
        }

        Assert.True(seen.Count >= 2, $"{Clients} client addresses all went to {string.Join(",", seen)}");
        Assert.Subset(new HashSet<string> { "a", "b", "c" }, seen);
    }
}
