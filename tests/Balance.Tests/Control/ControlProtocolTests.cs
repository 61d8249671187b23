using Balance.Control;

namespace Balance.Tests.Control;

public class ControlProtocolTests
{
    [Fact]
    public void Greeting_carries_the_pid()
    {
        Assert.Equal("balance-control 1 1234\n", ControlProtocol.Greeting(1234));
        Assert.Equal(GreetingKind.Ready, ControlProtocol.ParseGreeting("balance-control 1 1234", out int pid));
        Assert.Equal(1234, pid);
        Assert.Equal(GreetingKind.Denied, ControlProtocol.ParseGreeting(ControlProtocol.DeniedGreeting.TrimEnd('\n'), out _));
        Assert.Equal(GreetingKind.Busy, ControlProtocol.ParseGreeting(ControlProtocol.BusyGreeting.TrimEnd('\n'), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SSH-2.0-OpenSSH")]
    [InlineData("balance-control 2 1234")]
    [InlineData("balance-control 1 x")]
    public void Anything_else_is_not_a_balance_instance(string? line)
    {
        Assert.Equal(GreetingKind.Invalid, ControlProtocol.ParseGreeting(line, out _));
    }

    [Fact]
    public void Request_round_trips_group_and_line()
    {
        string request = ControlProtocol.Request(12, "create host 80");
        Assert.Equal("12 create host 80\n", request);
        Assert.True(ControlProtocol.TryParseRequest(request.TrimEnd('\n'), out int group, out string command));
        Assert.Equal((12, "create host 80"), (group, command));
        Assert.True(ControlProtocol.TryParseRequest("0", out group, out command));
        Assert.Equal((0, ""), (group, command));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x show")]
    [InlineData("-1 show")]
    [InlineData("64 show")]
    [InlineData("99999999999 show")]
    [InlineData("\u0000\u00ff show")]
    public void Requests_with_a_bad_group_are_refused(string line)
    {
        Assert.False(ControlProtocol.TryParseRequest(line, out _, out _));
    }

    [Theory]
    [InlineData(nameof(ReplyAction.None), 0, "ok 0\n")]
    [InlineData(nameof(ReplyAction.Quit), 5, "quit 5\n")]
    [InlineData(nameof(ReplyAction.Kill), 63, "kill 63\n")]
    public void Reply_header_round_trips(string actionName, int group, string header)
    {
        ReplyAction action = Enum.Parse<ReplyAction>(actionName);
        Assert.Equal(header, ControlProtocol.ReplyHeader(new ControlReply("text", group, action)));
        Assert.True(ControlProtocol.TryParseReplyHeader(header.TrimEnd('\n'), out ReplyAction parsedAction, out int parsedGroup));
        Assert.Equal((action, group), (parsedAction, parsedGroup));
    }

    [Fact]
    public void Kill_header_carries_the_drain_time_relays_get()
    {
        string header = ControlProtocol.ReplyHeader(new ControlReply("", 2, ReplyAction.Kill, DrainSeconds: 10));
        Assert.Equal("kill 2 10\n", header);
        Assert.True(ControlProtocol.TryParseReplyHeader(header.TrimEnd('\n'), out ReplyAction action, out int group, out int drain));
        Assert.Equal((ReplyAction.Kill, 2, 10), (action, group, drain));
        Assert.False(ControlProtocol.TryParseReplyHeader("ok 2 10", out _, out _, out _));
        Assert.False(ControlProtocol.TryParseReplyHeader("kill 2 x", out _, out _, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ok")]
    [InlineData("maybe 1")]
    [InlineData("ok x")]
    public void Bad_reply_headers_are_refused(string? line)
    {
        Assert.False(ControlProtocol.TryParseReplyHeader(line, out _, out _));
    }

    [Fact]
    public void A_line_break_cannot_smuggle_a_second_command()
    {
        Assert.Equal("0 show kill\n", ControlProtocol.Request(0, "show\nkill"));
    }
}
