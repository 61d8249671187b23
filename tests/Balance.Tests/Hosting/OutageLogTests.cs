using Balance.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Balance.Tests.Hosting;

public sealed class OutageLogTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly StringWriter _lines = new();
    private readonly OutageLog _outage;

    public OutageLogTests() => _outage = new OutageLog(new Log(debug: false, _lines), _clock);

    private int Count(string text) => _lines.ToString().Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    [Fact]
    public void A_failure_is_told_at_once_then_once_per_interval_while_it_lasts()
    {
        _outage.Failed("etcd unreachable");
        _outage.Failed("etcd unreachable");
        _clock.Advance(OutageLog.Interval - TimeSpan.FromMilliseconds(1));
        _outage.Failed("etcd unreachable");
        Assert.Equal(1, Count("etcd unreachable"));
        Assert.True(_outage.Failing);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _outage.Failed("etcd unreachable");
        Assert.Equal(2, Count("etcd unreachable"));
    }

    [Fact]
    public void Recovery_is_told_once_and_only_after_a_failure()
    {
        _outage.Recovered("etcd back");
        Assert.Equal(0, Count("etcd back"));

        _outage.Failed("etcd unreachable");
        _outage.Recovered("etcd back");
        _outage.Recovered("etcd back");
        Assert.Equal(1, Count("etcd back"));
        Assert.False(_outage.Failing);

        // A new outage right after the recovery is news: it is told at once.
        _outage.Failed("etcd unreachable");
        Assert.Equal(2, Count("etcd unreachable"));
    }
}
