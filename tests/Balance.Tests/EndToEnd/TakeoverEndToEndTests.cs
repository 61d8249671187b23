using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --takeover under a steady stream of new clients: twenty takeovers in a
/// row, alternating two command lines and two binaries, lose no client, let
/// long transfers in flight through the old instance finish byte for byte,
/// each old instance exits 0, and the operator's changes stay.
/// </summary>
public sealed class TakeoverEndToEndTests
{
    private const int Takeovers = 20;
    private const int ConnectionsPerSecond = 1000;
    private const int TransfersPerTakeover = 2;

    /// <summary>Connections of the load each instance serves before it is taken over.</summary>
    private const int ConnectionsPerInstance = 100;

    private readonly ITestOutputHelper _output;

    public TakeoverEndToEndTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [AllEngines]
    public async Task TwentyTakeoversUnderLoadDropNoClient(string engine)
    {
        using var e1 = new TestBackend("e1");
        using var e2 = new TestBackend("e2");
        using var d = new TestBackend("d");
        using var c = new TestBackend("c");
        int port = FreePort.Next();
        Dictionary<string, string> environment = Engines.Environment(engine);
        string p = port.ToString();
        string[][] commandLines =
        {
            new[] { "-f", "--grace", "30", p, e1.Channel, e2.Channel, d.Channel },
            new[] { "-f", "--grace", "40", "-t", "4", p, e2.Channel, d.Channel, e1.Channel },
        };
        using var copy = new BinaryCopy();
        string[] binaries = { BalanceProcess.BinaryPath, copy.Path };

        BalanceProcess current = await BalanceProcess.StartProxyAsync(port, environment, commandLines[0]);
        var load = new ConnectionLoad(port, ConnectionsPerSecond, workers: 32, maxConnections: 300_000, maxDuration: TimeSpan.FromMinutes(4));
        var exitCodes = new List<int>();
        int verified = 0;
        try
        {
            string control = current.ControlSocket!;
            Assert.Equal("channel 2 disabled\n", await ControlQuery.RunAsync(control, "disable 2"));
            Assert.Equal("maxc of channel 0 changed to 500\n", await ControlQuery.RunAsync(control, "maxc 0 500"));
            Assert.Equal("channel created\n", await ControlQuery.RunAsync(control, $"create 127.0.0.1 {c.Port}"));
            Assert.Equal("channel 3 enabled\n", await ControlQuery.RunAsync(control, "enable 3"));
            await AssertAdminStateAsync(control);

            for (int i = 1; i <= Takeovers; i++)
            {
                // Each instance serves its share of the load before it is taken over, however fast the takeovers go.
                int madeBefore = i * ConnectionsPerInstance;
                await Poll.UntilAsync(() => load.Made >= madeBefore, TimeSpan.FromSeconds(60), $"{madeBefore} connections before takeover {i}");

                var transfers = new List<EchoTransfer>();
                for (int t = 0; t < TransfersPerTakeover; t++)
                {
                    transfers.Add(await EchoTransfer.StartAsync(port));
                }

                BalanceProcess next = await BalanceProcess.StartProxyWithBinaryAsync(
                    binaries[i % 2], port, environment, commandLines[i % 2].Prepend("--takeover").ToArray());

                // The new instance answers on the control socket: the old one drains,
                // and the transfers it relays may end now.
                transfers.ForEach(t => t.Finish());
                foreach (EchoTransfer transfer in transfers)
                {
                    Assert.True(await transfer.Done.WaitAsync(TimeSpan.FromSeconds(90)), $"takeover {i}: {transfer.Failure}");
                    Assert.True(transfer.Bytes >= EchoTransfer.MinChunks * 64 * 1024);
                    verified++;
                }

                int exitCode = await current.WaitForExitAsync(TimeSpan.FromSeconds(60));
                exitCodes.Add(exitCode);
                Assert.True(exitCode == 0, $"takeover {i}: the old instance exited with {exitCode}: {current.Stderr}");
                Assert.Contains($"taken over by pid {next.Pid}: draining", current.Stderr);
                await current.DisposeAsync();
                current = next;
                await AssertAdminStateAsync(current.ControlSocket!);
            }
        }
        finally
        {
            await load.StopAsync();
            await current.DisposeAsync();
        }

        _output.WriteLine($"{engine}: {Takeovers} takeovers; {load}; {verified} transfers verified; old instances' exit codes: {string.Join(",", exitCodes)}");
        Assert.Equal(0, load.Refused);
        Assert.Equal(0, load.Reset);
        Assert.Equal(0, load.Unanswered);
        Assert.Equal(load.Made, load.Answered);
        Assert.True(load.Made >= Takeovers * ConnectionsPerInstance, $"too few connections to mean anything: {load}");
        Assert.Equal(Takeovers * TransfersPerTakeover, verified);
        Assert.Equal(Enumerable.Repeat(0, Takeovers), exitCodes);

        async Task AssertAdminStateAsync(string controlSocket)
        {
            string show = await ControlQuery.RunAsync(controlSocket, "show");
            Dictionary<int, string[]> rows = show.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToDictionary(f => int.Parse(f[5]), f => f);
            Assert.True(rows.Count == 4, show);
            Assert.True(rows[d.Port][3] == "dis", $"the disabled channel:\n{show}");
            Assert.True(rows[e1.Port][8] == "500", $"maxc 500:\n{show}");
            Assert.True(rows[e2.Port][3] == "ENA" && rows[e2.Port][8] == "0", $"an unchanged channel:\n{show}");
            Assert.True(rows[c.Port][3] == "ENA" && rows[c.Port][2] == "3", $"the created channel, last:\n{show}");
        }
    }
}
