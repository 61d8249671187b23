using Balance.Hosting;
using Balance.Native;
using Balance.Proxy.Session;
using Microsoft.Extensions.Time.Testing;

namespace Balance.Tests.Proxy.Session;

/// <summary>Running out of descriptors is told once per interval, not once per connection: time is advanced, not waited for.</summary>
public sealed class ResourceShortageLogTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly StringWriter _lines = new();

    [Fact]
    public void A_flood_of_failures_gives_one_line_per_interval()
    {
        var shortage = new ResourceShortageLog(new Log(debug: false, _lines), _clock);
        for (int i = 0; i < 1000; i++)
        {
            shortage.Report(Errno.EMFILE);
        }

        _clock.Advance(ResourceShortageLog.Interval - TimeSpan.FromMilliseconds(1));
        shortage.Report(Errno.ENFILE);
        Assert.Equal(
            ["balance: cannot open a connection: too many open files; clients are refused or wait in the listen queue"],
            Lines());

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        shortage.Report(Errno.ENOBUFS);
        Assert.Equal(2, Lines().Length);
        Assert.Contains("no buffer space available", Lines()[1]);
    }

    private string[] Lines() => _lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
