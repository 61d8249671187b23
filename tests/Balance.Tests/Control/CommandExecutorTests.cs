using System.Net;
using Balance.Control;
using Balance.Routing;

namespace Balance.Tests.Control;

public sealed class CommandExecutorTests : IDisposable
{
    private readonly RoutingTable _table;
    private readonly CommandExecutor _executor;
    private readonly string _services;

    public CommandExecutorTests()
    {
        var g0 = new ChannelGroup { Type = GroupType.RoundRobin };
        g0.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, 8001), 0));
        g0.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, 8002), 4));
        var g1 = new ChannelGroup { Type = GroupType.Hash };
        g1.Channels.Add(new Channel(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 25), 0));
        _table = new RoutingTable(new[] { g0, g1 });
        _services = Path.GetTempFileName();
        File.WriteAllText(_services, "smtp\t\t25/tcp\t\tmail\nhttp\t\t80/tcp\n");
        _executor = new CommandExecutor(_table, FakeResolve, _services, pid: 77);
    }

    private static Task<IPAddress?> FakeResolve(string host, CancellationToken cancellation) =>
        Task.FromResult(host switch
        {
            "good.example" => IPAddress.Parse("192.0.2.10"),
            _ => IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? a) ? a : null,
        });

    public void Dispose() => File.Delete(_services);

    private ControlReply Reply(int group, string line) => _executor.ExecuteAsync(group, line).GetAwaiter().GetResult();

    private string Run(string line, int group = 0) => Reply(group, line).Text;

    [Fact]
    public void Disable_and_enable_report_every_case()
    {
        Assert.Equal("channel 1 disabled\n", Run("disable 1"));
        Assert.False(_table.Status(0, 1)!.Value.Enabled);
        Assert.Equal("channel 1 already disabled\n", Run("disable 1"));
        Assert.Equal("channel 1 enabled\n", Run("enable 1"));
        Assert.Equal("channel 1 already enabled\n", Run("enable 1"));
        Assert.Equal("no such channel 2\n", Run("disable 2"));
        Assert.Equal("no such channel -1\n", Run("enable -1"));
        Assert.Equal("no such channel 99999999999\n", Run("enable 99999999999"));
        Assert.Equal("channel 0 disabled\n", Run("disable 0", group: 1));
        Assert.False(_table.Status(1, 0)!.Value.Enabled);
    }

    [Fact]
    public void Group_changes_the_shell_group_or_is_out_of_range()
    {
        ControlReply ok = Reply(0, "group 5");
        Assert.Equal(new ControlReply("", 5), ok);
        Assert.Equal(new ControlReply("value out of range\n", 2), Reply(2, $"group {Limits.MaxGroups}"));
        Assert.Equal(new ControlReply("value out of range\n", 2), Reply(2, "group -1"));
        Assert.Equal(Limits.MaxGroups - 1, Reply(0, $"group {Limits.MaxGroups - 1}").Group);
    }

    [Fact]
    public void Hash_and_rr_set_the_group_type()
    {
        Assert.Equal("group 0 set to hash\n", Run("hash"));
        Assert.Equal(GroupType.Hash, _table.Status(0, 0)!.Value.Type);
        Assert.Equal("group 1 set to round robin\n", Run("rr", group: 1));
        Assert.Equal(GroupType.RoundRobin, _table.Status(1, 0)!.Value.Type);
        Assert.Equal("group 9 set to hash\n", Run("hash", group: 9));
    }

    [Fact]
    public void Create_appends_a_disabled_channel()
    {
        Assert.Equal("channel created\n", Run("create good.example smtp", group: 1));
        ChannelStatus created = _table.Status(1, 1)!.Value;
        Assert.False(created.Enabled);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 25), created.EndPoint);
        Assert.Equal(0, created.MaxConnections);
        Assert.Equal(0, created.TotalConnections);

        Assert.Equal("channel created\n", Run("create [::1] 8080", group: 7));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 8080), _table.Status(7, 0)!.Value.EndPoint);
    }

    [Theory]
    [InlineData("create bad.example 80")]
    [InlineData("create 127.0.0.1 nosuchservice")]
    [InlineData("create 127.0.0.1 0")]
    [InlineData("create 127.0.0.1 70000")]
    public void Create_with_a_bad_address_or_port_is_an_invalid_address(string line)
    {
        Assert.Equal("invalid address\n", Run(line));
        Assert.Equal(2, _table.ChannelCount(0));
    }

    [Fact]
    public void Create_in_a_full_group_has_no_slots()
    {
        for (int i = 0; i < Limits.MaxChannels; i++)
        {
            Assert.Equal("channel created\n", Run($"create 127.0.0.1 {1000 + i}", group: 2));
        }

        Assert.Equal("no channel slots available\n", Run("create 127.0.0.1 80", group: 2));
        Assert.Equal("no channel slots available\n", Run("create bad.example 80", group: 2));
    }

    [Fact]
    public void Assign_needs_a_disabled_channel_and_a_good_address()
    {
        Assert.Equal("channel must be disabled to assign new address\n", Run("assign 0 good.example 80"));
        Assert.Equal("unknown channel\n", Run("assign 5 good.example 80"));
        Run("disable 0");
        Assert.Equal("invalid address\n", Run("assign 0 bad.example 80"));
        Assert.Equal("channel reassigned\n", Run("assign 0 good.example http"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 80), _table.Status(0, 0)!.Value.EndPoint);
        Assert.False(_table.Status(0, 0)!.Value.Enabled);
    }

    [Fact]
    public void Maxc_changes_or_reports_an_unknown_channel()
    {
        Assert.Equal("maxc of channel 1 changed to 16\n", Run("maxc 1 16"));
        Assert.Equal(16, _table.Status(0, 1)!.Value.MaxConnections);
        Assert.Equal("maxc of channel 1 changed to 0\n", Run("maxc 1 0"));
        Assert.Equal("unknown channel\n", Run("maxc 2 1"));
        Assert.Equal("unknown channel\n", Run("maxc -1 1"));
        Assert.Equal("value out of range\n", Run("maxc 1 -3"));
    }

    [Fact]
    public void Reset_zeroes_totalc_sent_and_rcvd()
    {
        var cursor = new RouteCursor(0);
        ChannelLease lease = _table.Next(cursor)!.Value;
        lease.Channel.AddSent(10);
        lease.Channel.AddReceived(20);
        Assert.Equal("channel 0 counters reset\n", Run("reset 0"));
        ChannelStatus row = _table.Status(0, 0)!.Value;
        Assert.Equal((0, 0, 0, 1), (row.TotalConnections, row.BytesSent, row.BytesReceived, row.Connections));
        Assert.Equal("no such channel 3\n", Run("reset 3"));
    }

    [Fact]
    public void Mrtg_commands_take_their_own_group_and_channel()
    {
        var cursor = new RouteCursor(0);
        ChannelLease lease = _table.Next(cursor)!.Value;
        lease.Channel.AddSent(123);
        lease.Channel.AddReceived(4567);
        Assert.Equal("4567\n123\nUNKNOWN\ngroup 0 channel 0\n", Run("mrtg-bytes 0 0", group: 5));
        Assert.Equal("1\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n", Run("mrtg-conns 0 0", group: 5));
        Assert.Equal("0\nUNKNOWN\nUNKNOWN\ngroup 1 channel 0\n", Run("mrtg-conns 1 0"));
        Assert.Equal("unknown group\n", Run($"mrtg-bytes {Limits.MaxGroups} 0"));
        Assert.Equal("unknown group\n", Run("mrtg-conns -1 0"));
        Assert.Equal("unknown channel\n", Run("mrtg-bytes 0 2"));
        Assert.Equal("unknown channel\n", Run("mrtg-conns 4 0"));
    }

    [Fact]
    public void Weight_changes_or_reports_like_maxc()
    {
        Assert.Equal("weight of channel 1 changed to 5\n", Run("weight 1 5"));
        Assert.Equal(5, _table.Status(0, 1)!.Value.Weight);
        Assert.Equal("weight of channel 0 changed to 1000\n", Run("w 0 1000"));
        Assert.Equal("value out of range\n", Run("weight 1 0"));
        Assert.Equal("value out of range\n", Run("weight 1 1001"));
        Assert.Equal("unknown channel\n", Run("weight 2 3"));
        Assert.Equal("unknown channel\n", Run("weight 9 0"));
        Assert.Equal("weight of channel 0 changed to 2\n", Run("weight 0 2", group: 1));
        Assert.Equal("syntax error\n", Run("weight 1"));
        Assert.Equal("syntax error\n", Run("weight 1 x"));
        Assert.Equal(5, _table.Status(0, 1)!.Value.Weight);
    }

    [Fact]
    public void Leastconn_sets_the_current_group()
    {
        Assert.Equal("group 1 set to least connections\n", Run("leastconn", group: 1));
        Assert.Equal(GroupType.LeastConnections, _table.Status(1, 0)!.Value.Type);
        Assert.Equal("group 1 set to hash\n", Run("hash", group: 1));
        Assert.Equal(GroupType.Hash, _table.Status(1, 0)!.Value.Type);
    }

    [Fact]
    public void Show_json_has_the_weight_and_no_queue_without_one()
    {
        Run("weight 1 7");
        string json = Run("show json");
        Assert.Contains("\"weight\":7", json);
        Assert.DoesNotContain("\"queue\"", json);
    }

    [Fact]
    public void Show_help_and_version_print_their_texts()
    {
        Assert.StartsWith(ShowFormatter.Header, Run("show"));
        Assert.Equal(3, Run("show").Count(c => c == '\n') - 1);
        Assert.Contains("\"pid\":77", Run("show json"));
        Assert.Equal(ControlTexts.Help, Run("help"));
        Assert.Equal(ControlTexts.Help, Run("?"));
        Assert.Equal($"  This is balance {Balance.Version.Text}\n  MAXGROUPS={Limits.MaxGroups}\n  MAXCHANNELS={Limits.MaxChannels}\n", Run("version"));
    }

    [Fact]
    public void Help_lists_every_command_with_two_leading_spaces()
    {
        string[] lines = ControlTexts.Help.TrimEnd('\n').Split('\n');
        Assert.Equal("available commands:", lines[0]);
        Assert.Equal(19, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("  ", line));
        Assert.Equal("  create <host> <port>           creates a channel in the current group", lines[1]);
        Assert.Equal("  leastconn                      sets distribution scheme of current group to Least Connections", lines[9]);
        Assert.Equal("  version                        show version id", lines[17]);
        Assert.Equal("  weight <channel> <weight>      specifies new weight (1-1000) for channel of current group", lines[18]);
    }

    [Fact]
    public void Quit_and_kill_tell_the_shell_what_to_do()
    {
        Assert.Equal(new ControlReply("", 3, ReplyAction.Quit), Reply(3, "quit"));
        Assert.Equal(new ControlReply("", 3, ReplyAction.Kill), Reply(3, "kill"));
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("disable")]
    [InlineData("create onlyhost")]
    public void Unknown_commands_and_missing_arguments_print_syntax_error(string line)
    {
        Assert.Equal("syntax error\n", Run(line));
    }

    [Fact]
    public void Empty_line_prints_nothing()
    {
        Assert.Equal(new ControlReply("", 4), Reply(4, "   "));
    }
}
