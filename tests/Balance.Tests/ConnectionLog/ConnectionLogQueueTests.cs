using System.Collections.Concurrent;
using Balance.ConnectionLog;
using Microsoft.Extensions.Time.Testing;

namespace Balance.Tests.ConnectionLog;

/// <summary>The queue between relay threads and the log: it never waits, drops when full, and tells the drops.</summary>
public sealed class ConnectionLogQueueTests
{
    private sealed class NumberFormat : IConnectionLineFormat
    {
        public string Format(in ConnectionRecord record) => record.DurationMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ConnectionRecord Numbered(int n) => new() { DurationMs = n };

    [Fact]
    public void Lines_are_written_in_order()
    {
        var lines = new List<string>();
        using var queue = new ConnectionLogQueue(new NumberFormat(), lines.Add, _ => { }, new FakeTimeProvider(), capacity: 8);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(queue.Add(Numbered(i)));
        }

        Assert.True(queue.DrainOnce());
        Assert.Equal(["0", "1", "2", "3", "4"], lines);
        Assert.False(queue.DrainOnce());
    }

    [Fact]
    public async Task A_blocked_sink_makes_the_queue_drop_and_count_never_wait()
    {
        using var gate = new ManualResetEventSlim();
        var written = new ConcurrentQueue<string>();
        var notices = new ConcurrentQueue<string>();
        var clock = new FakeTimeProvider();
        using var queue = new ConnectionLogQueue(
            new NumberFormat(),
            line =>
            {
                gate.Wait(TimeSpan.FromSeconds(30)); // the sink is stuck
                written.Enqueue(line);
            },
            notices.Enqueue,
            clock,
            capacity: 4);
        queue.Start();

        // The thread takes the first line and blocks in the sink; every Add returns at once.
        Assert.True(queue.Add(Numbered(0)));
        await Support.Poll.UntilAsync(() => !queue.DrainPending, TimeSpan.FromSeconds(10), "the log thread to take the first line");
        var adding = System.Diagnostics.Stopwatch.StartNew();
        int accepted = 0;
        for (int i = 1; i <= 100; i++)
        {
            accepted += queue.Add(Numbered(i)) ? 1 : 0;
        }

        Assert.True(adding.Elapsed < TimeSpan.FromSeconds(2), $"adding took {adding.Elapsed}");
        Assert.Equal(4, accepted);
        Assert.Equal(96, queue.Dropped);

        gate.Set();
        await Support.Poll.UntilAsync(() => written.Count == 5, TimeSpan.FromSeconds(10), "the queued lines to be written");
        clock.Advance(ConnectionLogQueue.DropReportInterval);
        await Support.Poll.UntilAsync(() => !notices.IsEmpty, TimeSpan.FromSeconds(10), "the drops to be told");
        Assert.Contains("96 lines dropped", notices.First());
        Assert.Equal(["0", "1", "2", "3", "4"], written);
    }
}
