using System.Net.Sockets;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>Least-connections groups ("@", leastconn) with long-lived connections through the real binary.</summary>
public sealed class LeastConnectionsEndToEndTests
{
    /// <summary>Opens a connection that stays open and returns it with the backend that greeted it.</summary>
    private static async Task<(Socket Socket, string Backend)> Hold(int port)
    {
        Socket socket = await TestClient.ConnectAsync(port);
        return (socket, await TestClient.ReadLineAsync(socket));
    }

    private static async Task WaitForConnections(ProxyFixture proxy, int channel, long connections) =>
        await Poll.UntilAsync(
            async () => (await Shell.ShowAsync(proxy.Port)).Single(r => r.Group == 0 && r.Channel == channel).Connections == connections,
            TimeSpan.FromSeconds(20),
            $"channel {channel} to have {connections} connections");

    [Theory]
    [AllEngines]
    public async Task EachNewClientGoesToTheChannelWithTheFewestOpenConnections(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B", "C"],
            Channels = ["{A}", "{B}", "{C}", "@"],
        });
        var held = new List<(Socket Socket, string Backend)>();
        try
        {
            for (int i = 0; i < 6; i++)
            {
                held.Add(await Hold(proxy.Port));
            }

            Assert.Equal(["A", "B", "C", "A", "B", "C"], held.Select(h => h.Backend)); // ties go round robin

            foreach (var connection in held.Where(h => h.Backend == "B").ToList())
            {
                connection.Socket.Dispose();
                held.Remove(connection);
            }

            await WaitForConnections(proxy, 1, 0);
            held.Add(await Hold(proxy.Port));
            held.Add(await Hold(proxy.Port));
            Assert.Equal(["B", "B"], held.TakeLast(2).Select(h => h.Backend));
            held.Add(await Hold(proxy.Port));
            Assert.Equal("C", held[^1].Backend); // all at 2 again: in turn after B

            IReadOnlyList<ShowRow> rows = await Shell.ShowAsync(proxy.Port);
            Assert.All(rows, r => Assert.Equal("LC", r.Type));
            Assert.Equal([2L, 2L, 3L], rows.Select(r => r.Connections));
        }
        finally
        {
            held.ForEach(h => h.Socket.Dispose());
        }
    }

    [Theory]
    [AllEngines]
    public async Task WeightsScaleTheConnectionsAChannelTakes(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B"],
            Channels = ["{A}", "{B}:0:3", "@"],
        });
        var held = new List<(Socket Socket, string Backend)>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                held.Add(await Hold(proxy.Port));
            }

            Assert.Equal((2, 6), (held.Count(h => h.Backend == "A"), held.Count(h => h.Backend == "B")));
        }
        finally
        {
            held.ForEach(h => h.Socket.Dispose());
        }
    }

    [Theory]
    [AllEngines]
    public async Task TheLeastconnCommandSetsTheGroupTypeAndShowSaysLC(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, "A", "B");
        Assert.Equal("group 0 set to least connections\n", (await proxy.ShellAsync("leastconn")).Stdout);
        string show = (await proxy.ShellAsync("show")).Stdout;
        Assert.Contains("\n  0   LC  0 ENA ", show);
        Assert.Contains("\"type\":\"leastconn\"", (await proxy.ShellAsync("show json")).Stdout);

        var (first, firstBackend) = await Hold(proxy.Port);
        using (first)
        {
            Assert.Equal("A", firstBackend);
            Assert.Equal("B", await TestClient.WhoAnswersAsync(proxy.Port));
            await WaitForConnections(proxy, 1, 0);
            Assert.Equal("B", await TestClient.WhoAnswersAsync(proxy.Port)); // A still has one open
        }

        Assert.Equal("group 0 set to round robin\n", (await proxy.ShellAsync("rr")).Stdout);
    }
}
