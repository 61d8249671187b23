using System.Net;
using Balance.Control;
using Balance.Routing;

namespace Balance.Tests.Control;

/// <summary>The shell driven through a transport that calls the executor directly: no sockets.</summary>
public class ControlShellTests
{
    private sealed class DirectTransport : IControlTransport
    {
        private readonly CommandExecutor _executor;

        public DirectTransport(CommandExecutor executor) => _executor = executor;

        public List<(int Group, string Line)> Sent { get; } = new();

        public bool Gone { get; set; }

        public ControlReply Execute(int group, string line)
        {
            if (Gone)
            {
                throw new ControlUnavailableException(ConnectStatus.Absent, "/run/x");
            }

            Sent.Add((group, line));
            return _executor.ExecuteAsync(group, line).GetAwaiter().GetResult();
        }
    }

    private readonly DirectTransport _transport;
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();
    private bool _exitSeen = true;
    private int _waitedFor;

    public ControlShellTests()
    {
        var group = new ChannelGroup();
        group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, 9000), 0));
        _transport = new DirectTransport(new CommandExecutor(new RoutingTable(new[] { group }), pid: 321));
    }

    private ControlShell Shell() => new(_transport, 321, _out, _err, (pid, _) =>
    {
        _waitedFor = pid;
        return _exitSeen;
    });

    [Fact]
    public void Interactive_prints_banner_prompts_and_a_newline_at_eof()
    {
        int code = Shell().RunInteractive(new StringReader("disable 0\ngroup 3\n\nfoo\n"));

        Assert.Equal(0, code);
        Assert.Equal(
            $"\nbalance {Balance.Version.Text} interactive command shell\nPID of master process is 321\n\n" +
            "balance[0] channel 0 disabled\n" +
            "balance[0] " +
            "balance[3] " +
            "balance[3] syntax error\n" +
            "balance[3] \n",
            _out.ToString());
        Assert.Equal("", _err.ToString());
    }

    [Fact]
    public void Group_is_kept_by_the_shell_and_sent_with_each_command()
    {
        Shell().RunInteractive(new StringReader("g 2\nrr\ng 99\nhash\n"));

        Assert.Equal(new[] { (0, "g 2"), (2, "rr"), (2, "g 99"), (2, "hash") }, _transport.Sent);
        Assert.Contains("balance[2] value out of range\nbalance[2] group 2 set to hash\n", _out.ToString());
    }

    [Fact]
    public void Quit_leaves_without_reading_further()
    {
        int code = Shell().RunInteractive(new StringReader("q\nshow\n"));
        Assert.Equal(0, code);
        Assert.EndsWith("balance[0] ", _out.ToString());
        Assert.Empty(_transport.Sent);
    }

    [Fact]
    public void Command_mode_prints_only_the_answer()
    {
        Assert.Equal(0, Shell().RunCommand("version"));
        Assert.Equal(ControlTexts.VersionReport(), _out.ToString());
    }

    [Fact]
    public void Command_mode_exits_0_whatever_the_answer()
    {
        Assert.Equal(0, Shell().RunCommand("nonsense"));
        Assert.Equal("syntax error\n", _out.ToString());
    }

    [Fact]
    public void Kill_waits_for_the_master_to_be_gone()
    {
        Assert.Equal(0, Shell().RunCommand("kill"));
        Assert.Equal(321, _waitedFor);
        Assert.Equal("shutdown complete, exiting.\n", _out.ToString());
    }

    [Fact]
    public void Kill_that_does_not_end_the_master_fails_with_69()
    {
        _exitSeen = false;
        Assert.Equal(69, Shell().RunInteractive(new StringReader("kill\nshow\n")));
        Assert.EndsWith("balance[0] shutdown failed.\n", _out.ToString());
    }

    [Fact]
    public void Master_gone_during_the_session_is_no_master_process()
    {
        _transport.Gone = true;
        Assert.Equal(69, Shell().RunInteractive(new StringReader("show\n")));
        Assert.EndsWith("balance[0] no master process, exiting.\n", _out.ToString());
    }

    [Fact]
    public void Oversized_line_is_a_syntax_error_without_a_round_trip()
    {
        Assert.Equal(0, Shell().RunCommand("show " + new string('x', 1 << 20)));
        Assert.Equal("syntax error\n", _out.ToString());
        Assert.Empty(_transport.Sent);
    }

    [Theory]
    [InlineData(nameof(ConnectStatus.Absent), 69, "no master process, exiting.\n", "")]
    [InlineData(nameof(ConnectStatus.Denied), 77, "", "balance: permission denied on control socket /r/s\n")]
    [InlineData(nameof(ConnectStatus.Busy), 69, "", "balance: control socket /r/s is busy, try again\n")]
    public void Unreachable_instances_are_reported(string statusName, int code, string stdout, string stderr)
    {
        ConnectStatus status = Enum.Parse<ConnectStatus>(statusName);
        Assert.Equal(code, ControlShell.ReportUnavailable(status, "/r/s", _out, _err));
        Assert.Equal(stdout, _out.ToString());
        Assert.Equal(stderr, _err.ToString());
    }
}
