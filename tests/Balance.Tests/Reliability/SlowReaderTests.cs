using System.Diagnostics;
using System.Net.Sockets;
using Balance.Tests.Support;
using Xunit.Abstractions;

namespace Balance.Tests.Reliability;

/// <summary>
/// A client that reads nothing while its backend sends a lot: balance holds
/// only a small, fixed amount (the kernel's socket buffers push back on the
/// backend), and once the client reads, every byte arrives unchanged.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SlowReaderTests
{
    /// <summary>Resident memory balance may add over its baseline while the transfer waits and runs.</summary>
    private const long RssGrowthLimitKb = 16 * 1024;

    private readonly ITestOutputHelper _output;

    public SlowReaderTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [AllEngines]
    public Task SixtyFourMegabytesToAClientThatDoesNotReadYet(string engine) => RunAsync(engine, 64L << 20, TimeSpan.FromSeconds(60));

    [Theory]
    [Trait("Category", ReliabilityCollection.Stress)]
    [AllEngines]
    public Task OneGigabyteToAClientThatDoesNotReadYet(string engine) => RunAsync(engine, 1L << 30, TimeSpan.FromSeconds(240));

    private async Task RunAsync(string engine, long length, TimeSpan transferTimeout)
    {
        Task<byte[]> expectedHash = Task.Run(() => Pattern.Hash(length));
        using var streamer = new StreamBackend(length);
        int port = FreePort.Next();
        using var balance = await BalanceProcess.StartProxyAsync(port, Engines.Environment(engine), "-f", port.ToString(), $"127.0.0.1:{streamer.Port}");

        // Warm-up: one connection that reads 8 MB and resets, so the relay's
        // code paths and pools are in place before the baseline.
        using (Socket warmup = await TestClient.ConnectAsync(port))
        {
            await Traffic.ReadExactlyAsync(warmup, 8 << 20, TimeSpan.FromSeconds(30));
            Traffic.Reset(warmup);
        }

        await Poll.UntilAsync(async () => (await Shell.ChannelAsync(port, 0, 0)).Connections == 0, TimeSpan.FromSeconds(10), "the warm-up relay to end");
        long baseline = ProcStats.RssKb(balance.Pid);

        using Socket slow = await TestClient.ConnectAsync(port);
        await WaitForStallAsync(streamer);
        long stalledAt = streamer.BytesSent;
        long peak = await PeakRssAsync(balance.Pid, TimeSpan.FromSeconds(1), until: null);
        _output.WriteLine($"{engine}: baseline RSS {baseline} KiB; backend stalled after {stalledAt >> 10} KiB; RSS while stalled {peak} KiB");
        Assert.InRange(peak - baseline, long.MinValue, RssGrowthLimitKb);
        Assert.True(stalledAt < length, "the whole transfer fitted in buffers: make it longer");

        var clock = Stopwatch.StartNew();
        var download = new Download(slow, transferTimeout);
        long peakWhileReading = await PeakRssAsync(balance.Pid, transferTimeout, until: download.Completion);
        bool reset = await download.Completion;
        _output.WriteLine($"{engine}: {length >> 20} MiB in {clock.Elapsed.TotalSeconds:0.0} s; RSS while reading up to {peakWhileReading} KiB");

        Assert.False(reset, "the transfer ended with a reset");
        Assert.Equal(length, download.Received);
        Assert.Equal(await expectedHash, download.Hash);
        Assert.InRange(peakWhileReading - baseline, long.MinValue, RssGrowthLimitKb);
    }

    /// <summary>Waits until the backend has sent nothing more for half a second: every buffer on the way is full.</summary>
    private static async Task WaitForStallAsync(StreamBackend streamer)
    {
        long last = -1;
        var still = Stopwatch.StartNew();
        await Poll.UntilAsync(
            () =>
            {
                long now = streamer.BytesSent;
                if (now != last)
                {
                    last = now;
                    still.Restart();
                }

                return now > 0 && still.ElapsedMilliseconds >= 500;
            },
            TimeSpan.FromSeconds(30),
            "the backend's sending to stall behind the client that does not read");
    }

    /// <summary>The highest RSS seen, sampled every 50 ms for <paramref name="span"/> or until <paramref name="until"/> completes.</summary>
    private static async Task<long> PeakRssAsync(int pid, TimeSpan span, Task? until)
    {
        long peak = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < span && until?.IsCompleted != true)
        {
            peak = Math.Max(peak, ProcStats.RssKb(pid));
            await (until is null ? Task.Delay(50) : Task.WhenAny(until, Task.Delay(50)));
        }

        return Math.Max(peak, ProcStats.RssKb(pid));
    }
}
