using System.Text;
using Balance.Health;

namespace Balance.Tests.Health;

/// <summary>The expected string is found however the reply is cut into reads.</summary>
public sealed class ExpectMatcherTests
{
    private static bool Feed(ExpectMatcher matcher, params string[] chunks) =>
        chunks.Any(chunk => matcher.Feed(Encoding.ASCII.GetBytes(chunk)));

    [Fact]
    public void Found_in_one_piece() => Assert.True(Feed(new ExpectMatcher("+PONG"u8.ToArray()), "xx+PONG\r\n"));

    [Fact]
    public void Found_across_reads_at_every_split()
    {
        const string reply = "220 mail.example ESMTP ready\r\n";
        for (int split = 1; split < reply.Length; split++)
        {
            Assert.True(Feed(new ExpectMatcher("ESMTP"u8.ToArray()), reply[..split], reply[split..]), $"split at {split}");
        }
    }

    [Fact]
    public void Found_when_every_byte_comes_alone()
    {
        var matcher = new ExpectMatcher("PONG"u8.ToArray());
        Assert.True(Feed(matcher, "x", "P", "O", "N", "G"));
    }

    [Fact]
    public void Not_found_when_it_is_not_there_even_in_pieces()
    {
        var matcher = new ExpectMatcher("PONG"u8.ToArray());
        Assert.False(Feed(matcher, "PO", "N", "X", "G", "PON"));
        Assert.True(Feed(matcher, "G"));
    }

    [Fact]
    public void A_one_byte_string_needs_no_carry() => Assert.True(Feed(new ExpectMatcher("!"u8.ToArray()), "abc", "d!"));

    [Fact]
    public void Reset_forgets_the_last_reply()
    {
        var matcher = new ExpectMatcher("PONG"u8.ToArray());
        Assert.False(Feed(matcher, "PO"));
        matcher.Reset();
        Assert.False(Feed(matcher, "NG"));
    }
}
