using System.Text;
using Balance.Observability;

namespace Balance.Tests.Observability;

public sealed class HttpRequestParserTests
{
    private const int Limit = 8192;

    private static HttpParse Parse(string text, int limit = Limit) => HttpRequestParser.Parse(Encoding.ASCII.GetBytes(text), limit);

    [Theory]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\nAccept: */*\r\n\r\n", false, "/metrics")]
    [InlineData("HEAD / HTTP/1.0\r\n\r\n", true, "/")]
    [InlineData("GET /status.json?t=123 HTTP/1.1\r\n\r\n", false, "/status.json")]
    [InlineData("GET /metrics HTTP/1.1\nHost: x\n\n", false, "/metrics")]
    [InlineData("GET / HTTP/1.1\r\nX-Empty:\r\nX-Tab: a\tb\r\n\r\n", false, "/")]
    public void A_whole_request_gives_its_method_and_path(string text, bool isHead, string path)
    {
        HttpParse parse = Parse(text);
        Assert.Equal(200, parse.Status);
        Assert.Equal(new HttpRequest(isHead, path), parse.Request);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET /metrics HTTP/1.1\r\n")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\n")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\n\r")]
    public void A_head_without_its_empty_line_needs_more(string text) => Assert.False(Parse(text).IsComplete);

    [Theory]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\n", 405)]
    [InlineData("DELETE / HTTP/1.1\r\n\r\n", 405)]
    [InlineData("get /metrics HTTP/1.1\r\n\r\n", 405)]
    [InlineData("GET /metrics HTTP/2.0\r\n\r\n", 505)]
    [InlineData("GET /metrics HTTP/1.1 extra\r\n\r\n", 400)]
    [InlineData("GET http://host/metrics HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /metrics\r\n\r\n", 400)]
    [InlineData("GET  /metrics HTTP/1.1\r\n\r\n", 400)]
    [InlineData("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n", 400)]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n\r\n", 400)]
    [InlineData("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", 400)]
    [InlineData("GET /metrics HTTP/1.1\r\n folded: line\r\n\r\n", 400)]
    [InlineData("GET /metrics HTTP/1.1\r\nX: a\x01b\r\n\r\n", 400)]
    [InlineData("GET /met\x7frics HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GETTTTTTTTTTTTTTTTTTTTTTTTTTTT / HTTP/1.1\r\n\r\n", 400)]
    [InlineData("\r\n\r\n", 400)]
    public void A_bad_request_gets_its_error_status(string text, int status) => Assert.Equal(status, Parse(text).Status);

    [Fact]
    public void A_request_line_longer_than_the_limit_is_414()
    {
        string line = "GET /" + new string('a', 1024 * 1024);
        Assert.Equal(414, Parse(line).Status);
        Assert.Equal(414, Parse(line[..Limit]).Status);
        Assert.False(Parse(line[..(Limit - 1)]).IsComplete);
    }

    [Fact]
    public void Headers_beyond_the_limit_are_431()
    {
        string head = "GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Filler: 0123456789012345678901234567890123456789\r\n", 200));
        Assert.Equal(431, Parse(head[..Limit]).Status);
        Assert.Equal(431, Parse(head + "\r\n").Status);
    }

    [Fact]
    public void A_head_that_ends_exactly_at_the_limit_is_accepted()
    {
        string start = "GET / HTTP/1.1\r\nX: ";
        string text = start + new string('a', Limit - start.Length - 4) + "\r\n\r\n";
        Assert.Equal(Limit, text.Length);
        Assert.Equal(200, Parse(text).Status);
    }

    [Fact]
    public void A_head_arriving_a_byte_at_a_time_is_found_with_the_search_resumed()
    {
        byte[] text = Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: a\r\nUser-Agent: b\r\n\r\n");
        HttpParse parse = HttpParse.Incomplete;
        int length = 0;
        while (!parse.IsComplete)
        {
            length++;
            parse = HttpRequestParser.Parse(text.AsSpan(0, length), Limit, searchFrom: length - 1);
        }

        Assert.Equal(text.Length, length);
        Assert.Equal(new HttpRequest(false, "/metrics"), parse.Request);
    }
}
