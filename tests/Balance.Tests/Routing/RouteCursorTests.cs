using Balance.Routing;

namespace Balance.Tests.Routing;

public sealed class RouteCursorTests
{
    [Fact]
    public void Starts_in_group_0_with_nothing_tried()
    {
        var cursor = new RouteCursor(0xDEADBEEF);
        Assert.Equal(0xDEADBEEFu, cursor.ClientHash);
        Assert.Equal(0, cursor.Group);
        Assert.Equal(-1, cursor.LastFailed);
        Assert.False(cursor.InFailover);
        for (int c = 0; c < Limits.MaxChannels; c++)
        {
            Assert.False(cursor.WasTried(c));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(Limits.MaxChannels - 1)]
    public void Marks_exactly_the_tried_channel(int channel)
    {
        var cursor = new RouteCursor(1);
        cursor.MarkTried(channel);
        for (int c = 0; c < Limits.MaxChannels; c++)
        {
            Assert.Equal(c == channel, cursor.WasTried(c));
        }
    }

    [Fact]
    public void Marks_accumulate()
    {
        var cursor = new RouteCursor(1);
        int[] marked = [3, 64, 200, 0];
        foreach (int c in marked)
        {
            cursor.MarkTried(c);
            cursor.MarkTried(c);
        }

        for (int c = 0; c < Limits.MaxChannels; c++)
        {
            Assert.Equal(marked.Contains(c), cursor.WasTried(c));
        }
    }

    [Fact]
    public void A_failure_puts_the_cursor_in_failover()
    {
        var cursor = new RouteCursor(1) { LastFailed = 0 };
        Assert.True(cursor.InFailover);
        cursor.LastFailed = 5;
        Assert.True(cursor.InFailover);
    }

    [Fact]
    public void The_next_group_starts_afresh_and_keeps_the_hash()
    {
        var cursor = new RouteCursor(42);
        cursor.MarkTried(2);
        cursor.MarkTried(255);
        cursor.LastFailed = 2;

        cursor.NextGroup();
        Assert.Equal(1, cursor.Group);
        Assert.Equal(-1, cursor.LastFailed);
        Assert.False(cursor.InFailover);
        Assert.False(cursor.WasTried(2));
        Assert.False(cursor.WasTried(255));
        Assert.Equal(42u, cursor.ClientHash);

        cursor.NextGroup(); // also without anything tried
        Assert.Equal(2, cursor.Group);
    }
}
