using System.Text.Json;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>Channel weights (host:port:maxc:weight) and the weight command through the real binary.</summary>
public sealed class WeightedRoutingEndToEndTests
{
    private static async Task<string[]> Answers(int port, int count)
    {
        var answers = new string[count];
        for (int i = 0; i < count; i++)
        {
            answers[i] = await TestClient.WhoAnswersAsync(port);
        }

        return answers;
    }

    [Theory]
    [AllEngines]
    public async Task WeightsGiveEachChannelExactlyItsShareOfEveryCycleSpreadOut(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B", "C"],
            Channels = ["{A}:0:3", "{B}", "{C}::2"],
        });

        string[] answers = await Answers(proxy.Port, 18);
        Assert.Equal(["A", "C", "A", "B", "C", "A"], answers[..6]);
        for (int cycle = 0; cycle < 3; cycle++)
        {
            string[] one = answers[(cycle * 6)..((cycle + 1) * 6)];
            Assert.Equal((3, 1, 2), (one.Count(a => a == "A"), one.Count(a => a == "B"), one.Count(a => a == "C")));
        }
    }

    [Theory]
    [AllEngines]
    public async Task AllWeightsOneIsTheOriginalRoundRobin(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B", "C"],
            Channels = ["{A}:0:1", "{B}::1", "{C}"],
        });

        Assert.Equal(["A", "B", "C", "A", "B", "C", "A"], await Answers(proxy.Port, 7));
    }

    [Theory]
    [AllEngines]
    public async Task TheWeightCommandChangesSharesAtRunTimeAndShowStaysAsItWas(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, "A", "B");
        string showBefore = (await proxy.ShellAsync("show")).Stdout;

        ProcessResult set = await proxy.ShellAsync("weight 1 4");
        Assert.Equal("weight of channel 1 changed to 4\n", set.Stdout);
        Assert.Equal("value out of range\n", (await proxy.ShellAsync("weight 1 1001")).Stdout);
        Assert.Equal("value out of range\n", (await proxy.ShellAsync("w 1 0")).Stdout);
        Assert.Equal("unknown channel\n", (await proxy.ShellAsync("weight 7 2")).Stdout);
        Assert.Equal("syntax error\n", (await proxy.ShellAsync("weight 1")).Stdout);

        string[] answers = await Answers(proxy.Port, 10);
        Assert.Equal((2, 8), (answers.Count(a => a == "A"), answers.Count(a => a == "B")));

        string showAfter = (await proxy.ShellAsync("show")).Stdout;
        Assert.Equal(showBefore.Split('\n')[0], showAfter.Split('\n')[0]);
        Assert.Equal(11, showAfter.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length); // no weight column
        using JsonDocument json = JsonDocument.Parse((await proxy.ShellAsync("show json")).Stdout);
        JsonElement channels = json.RootElement.GetProperty("groups")[0].GetProperty("channels");
        Assert.Equal((1, 4), (channels[0].GetProperty("weight").GetInt32(), channels[1].GetProperty("weight").GetInt32()));
        Assert.False(json.RootElement.TryGetProperty("queue", out _));
    }

    [Fact]
    public async Task ABadWeightOnTheCommandLineIsAOneLineUsageError()
    {
        ProcessResult result = await BalanceProcess.RunAsync("-f", "8888", "127.0.0.1:80:0:1001");
        Assert.Equal(64, result.ExitCode);
        Assert.Equal("invalid weight [1001], 1 to 1000 expected, exiting.\n", result.Stderr.Replace("balance: ", string.Empty, StringComparison.Ordinal));
    }
}
