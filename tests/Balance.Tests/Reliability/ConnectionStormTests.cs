using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// Many short connections at once: every one is served (none lost that a
/// backend could serve) and the counters of <c>show</c> add up exactly.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ConnectionStormTests
{
    private const int ClientTasks = 32;

    private readonly ITestOutputHelper _output;

    public ConnectionStormTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [AllEngines]
    public Task TwoThousandShortConnections(string engine) => RunAsync(engine, 2_000, TimeSpan.FromSeconds(60));

    [Theory]
    [Trait("Category", ReliabilityCollection.Stress)]
    [AllEngines]
    public Task TwentyThousandShortConnections(string engine) => RunAsync(engine, 20_000, TimeSpan.FromSeconds(180));

    private async Task RunAsync(string engine, int connections, TimeSpan timeout)
    {
        using var a = new TestBackend("A", TestBackend.Behaviour.Echo, backlog: 4096);
        using var b = new TestBackend("B", TestBackend.Behaviour.Echo, backlog: 4096);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(
            port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{a.Port}", $"127.0.0.1:{b.Port}");

        // Each connection: a request of 1 to 300 bytes, a half-close, the echo back to EOF.
        long bytes = 0;
        int failed = 0;
        string? firstFailure = null;
        int next = -1;
        var clock = Stopwatch.StartNew();
        using var cancel = new CancellationTokenSource(timeout);
        await Task.WhenAll(Enumerable.Range(0, ClientTasks).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < connections && !cancel.IsCancellationRequested)
            {
                byte[] request = RandomNumberGenerator.GetBytes(1 + Random.Shared.Next(300));
                try
                {
                    using Socket client = await TestClient.ConnectAsync(port);
                    await client.SendAsync(request, SocketFlags.None, cancel.Token);
                    client.Shutdown(SocketShutdown.Send);
                    byte[] reply = await TestClient.ReadToEndAsync(client);
                    if (!reply.AsSpan().SequenceEqual(request))
                    {
                        throw new InvalidDataException($"{request.Length} bytes sent, {reply.Length} came back");
                    }

                    Interlocked.Add(ref bytes, request.Length);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or InvalidDataException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }
        })));
        _output.WriteLine($"{engine}: {connections} connections in {clock.Elapsed.TotalSeconds:0.0} s, {failed} failed");

        Assert.True(failed == 0, $"{failed} of {connections} connections failed, the first: {firstFailure}");
        Assert.Equal(connections, a.Accepted + b.Accepted);
        await Poll.UntilAsync(
            async () => (await Shell.ShowAsync(port)).All(r => r.Connections == 0),
            TimeSpan.FromSeconds(10),
            "every relay to end");
        IReadOnlyList<ShowRow> rows = await Shell.ShowAsync(port);
        Assert.Equal(new long[] { connections / 2, connections / 2 }, rows.Select(r => r.TotalConnections));
        Assert.Equal(new long[] { a.Accepted, b.Accepted }, rows.Select(r => r.TotalConnections));
        Assert.Equal(bytes, rows.Sum(r => r.Sent));
        Assert.Equal(bytes, rows.Sum(r => r.Received));
        Assert.All(rows, r => Assert.Equal(r.Sent, r.Received));
    }
}
