using System.Net;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// Consistent hash groups through the real binary, with 250 client addresses
/// of 127.0.0.0/8 (each client binds its own source address): which clients
/// move when a channel is disabled or created, and two instances agreeing.
/// </summary>
public sealed class ConsistentHashEndToEndTests
{
    private const int Clients = 250;

    private static readonly string[] Names = ["A", "B", "C", "D", "E"];

    /// <summary>127.x.y.z for client i, none of them 127.0.0.1.</summary>
    private static IPAddress ClientAddress(int i) => new([127, 10, (byte)(i / 200), (byte)((i % 200) + 2)]);

    /// <summary>Which backend greets each of the 250 clients.</summary>
    private static async Task<string[]> Map(int port)
    {
        var backends = new string[Clients];
        for (int i = 0; i < Clients; i++)
        {
            backends[i] = await TestClient.WhoAnswersAsync(port, ClientAddress(i));
        }

        return backends;
    }

    [Theory]
    [AllEngines]
    public async Task WithHADisabledChannelsClientsSpreadOverTheOthersAndNoOtherClientMoves(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B", "C", "D", "E"],
            Options = ["-H"],
            Channels = ["{A}", "{B}", "{C}", "{D}", "{E}", "%"],
        });
        string[] before = await Map(proxy.Port);
        Assert.All(Names, n => Assert.Contains(n, before));

        Assert.Equal("channel 2 disabled\n", (await proxy.ShellAsync("disable 2")).Stdout);
        string[] after = await Map(proxy.Port);

        var landed = new HashSet<string>();
        for (int i = 0; i < Clients; i++)
        {
            if (before[i] == "C")
            {
                landed.Add(after[i]);
            }
            else
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        Assert.DoesNotContain("C", landed);
        Assert.True(landed.Count >= 3, $"the clients of C all went to {string.Join(",", landed)}");

        Assert.Equal("channel 2 enabled\n", (await proxy.ShellAsync("enable 2")).Stdout);
        Assert.Equal(before, await Map(proxy.Port));
    }

    [Theory]
    [AllEngines]
    public async Task WithoutHADisabledChannelsClientsGoToTheNextGroupOnly(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = [.. Names, "backup"],
            Channels = ["{A}", "{B}", "{C}", "{D}", "{E}", "%", "{backup}"],
        });
        string[] before = await Map(proxy.Port);
        Assert.DoesNotContain("backup", before);

        await proxy.ShellAsync("disable 1");
        string[] after = await Map(proxy.Port);
        for (int i = 0; i < Clients; i++)
        {
            Assert.Equal(before[i] == "B" ? "backup" : before[i], after[i]);
        }
    }

    [Theory]
    [AllEngines]
    public async Task CreateMovesNobodyAndTheNewChannelTakesOnlyItsShareOnceEnabled(string engine)
    {
        using var added = new TestBackend("F");
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B", "C", "D", "E"],
            Channels = ["{A}", "{B}", "{C}", "{D}", "{E}", "%"],
        });
        string[] before = await Map(proxy.Port);

        Assert.Equal("channel created\n", (await proxy.ShellAsync($"create 127.0.0.1 {added.Port}")).Stdout);
        Assert.Equal(before, await Map(proxy.Port));

        Assert.Equal("channel 5 enabled\n", (await proxy.ShellAsync("enable 5")).Stdout);
        string[] after = await Map(proxy.Port);
        int toNew = before.Zip(after).Count(p => p.Second == "F");
        int elsewhere = before.Zip(after).Count(p => p.First != p.Second && p.Second != "F");

        // 1/(N+1) = 1/6 of 250 is about 42; the bound is 1/(N+1) + 1% with room for a sample of 250.
        Assert.InRange(toNew, 15, 70);
        Assert.True(elsewhere <= 5, $"{elsewhere} clients moved between the old channels");
    }

    [Theory]
    [AllEngines]
    public async Task TwoInstancesWithTheChannelsInReverseOrderSendEveryClientToTheSameBackend(string engine)
    {
        var backends = Names.Select(n => new TestBackend(n)).ToList();
        try
        {
            string[] forward = backends.Select(b => b.Channel).Append("%").ToArray();
            string[] reverse = backends.Select(b => b.Channel).Reverse().Append("%").ToArray();
            await using var one = await ProxyFixture.StartAsync(engine, new ProxySetup { Channels = forward });
            await using var two = await ProxyFixture.StartAsync(engine, new ProxySetup { Channels = reverse });

            string[] viaOne = await Map(one.Port);
            Assert.Equal(viaOne, await Map(two.Port));
            Assert.All(Names, n => Assert.Contains(n, viaOne));
        }
        finally
        {
            backends.ForEach(b => b.Dispose());
        }
    }
}
