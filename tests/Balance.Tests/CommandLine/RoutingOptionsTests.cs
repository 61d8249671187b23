using Balance.CommandLine;
using Balance.Routing;

namespace Balance.Tests.CommandLine;

/// <summary>The routing words of the command line: channel weights, the "@" separator, --queue, --queue-timeout and --hash-type.</summary>
public sealed class RoutingOptionsTests : IClassFixture<TestServicesFile>
{
    private readonly string _services;

    public RoutingOptionsTests(TestServicesFile services)
    {
        _services = services.Path;
    }

    private Options Parse(params string[] args) => CommandLineParser.Parse(args, _services);

    private ChannelSpec Channel(string text) => ChannelSpecParser.Parse(text, 8888, _services);

    private BalanceException Fails(params string[] args) =>
        Assert.Throws<BalanceException>(() => CommandLineParser.Parse(args, _services));

    // ---- weights ----

    [Theory]
    [InlineData("web1", 1)]
    [InlineData("web1:8000:4", 1)]
    [InlineData("web1:8000:4:", 1)]
    [InlineData("web1:8000:4:3", 3)]
    [InlineData("web1:8000::3", 3)]
    [InlineData("web1:::1000", 1000)]
    [InlineData("[::1]:8080:4:7", 7)]
    [InlineData("[::1]:::2", 2)]
    public void The_fourth_field_is_the_weight_default_1(string text, int weight)
    {
        Assert.Equal(weight, Channel(text).Weight);
    }

    [Fact]
    public void A_weight_leaves_the_other_fields_as_they_were()
    {
        Assert.Equal(new ChannelSpec("web1", 8000, 4, 3), Channel("web1:8000:4:3"));
        Assert.Equal(new ChannelSpec("web1", 8888, 0, 5), Channel("web1:::5"));
        Assert.Equal(new ChannelSpec("::1", 80, 2, 9), Channel("[::1]:http:2:9"));
    }

    [Theory]
    [InlineData("web1:80:4:0", "0")]
    [InlineData("web1:80:4:1001", "1001")]
    [InlineData("web1:80:4:-1", "-1")]
    [InlineData("web1:80:4:x", "x")]
    [InlineData("web1:80:4:1.5", "1.5")]
    [InlineData("[::1]:80::99999999999", "99999999999")]
    public void A_bad_weight_is_a_one_line_usage_error(string text, string shown)
    {
        var e = Assert.Throws<BalanceException>(() => Channel(text));
        Assert.Equal($"invalid weight [{shown}], 1 to 1000 expected, exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.False(e.ShowUsage);
    }

    [Theory]
    [InlineData("fe80::1:2")]
    [InlineData("2001:db8::1:2")]
    [InlineData("web1:80:4:5:6")]
    public void An_unbracketed_IPv6_literal_or_a_fifth_field_stays_an_invalid_address(string text)
    {
        var e = Assert.Throws<BalanceException>(() => Channel(text));
        Assert.Equal($"unknown or invalid address [{text}]", e.Message);
        Assert.Equal(65, e.ExitCode);
    }

    // ---- the least-connections separator ----

    [Fact]
    public void At_closes_a_group_as_least_connections()
    {
        Options o = Parse("8888", "a", "b:80:0:2", "@", "c", "%", "d");
        Assert.Equal(3, o.Groups.Count);
        Assert.Equal(GroupType.LeastConnections, o.Groups[0].Type);
        Assert.Equal([new ChannelSpec("a", 8888, 0), new ChannelSpec("b", 80, 0, 2)], o.Groups[0].Channels);
        Assert.Equal(GroupType.Hash, o.Groups[1].Type);
        Assert.Equal(GroupType.RoundRobin, o.Groups[2].Type);
    }

    [Theory]
    [InlineData("@", "a")]
    [InlineData("a", "@", "@")]
    [InlineData("a", "!", "@")]
    public void An_empty_least_connections_group_is_an_error_with_exit_69(params string[] channels)
    {
        var e = Fails(["8888", .. channels]);
        Assert.Equal("balance: no channels in group", e.Message);
        Assert.Equal(69, e.ExitCode);
    }

    [Fact]
    public void At_is_a_separator_only_as_a_whole_word()
    {
        Options o = Parse("8888", "a@", "@b");
        Assert.Equal(GroupType.RoundRobin, Assert.Single(o.Groups).Type);
        Assert.Equal(["a@", "@b"], o.Groups[0].Channels.Select(c => c.Host));
    }

    // ---- --queue and --queue-timeout ----

    [Fact]
    public void Without_queue_options_clients_are_closed_at_once_and_the_wait_is_the_connect_timeout()
    {
        Options o = Parse("8888", "h");
        Assert.Equal(0, o.QueueLength);
        Assert.Null(o.QueueTimeoutSeconds);
    }

    [Theory]
    [InlineData(new[] { "--queue", "0" }, 0)]
    [InlineData(new[] { "--queue", "100" }, 100)]
    [InlineData(new[] { "--queue=7" }, 7)]
    [InlineData(new[] { "--queue=1000000" }, 1_000_000)]
    public void Queue_takes_a_length(string[] option, int expected)
    {
        Assert.Equal(expected, Parse([.. option, "-f", "8888", "h"]).QueueLength);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("x")]
    [InlineData("")]
    [InlineData("1000001")]
    [InlineData("99999999999")]
    public void A_bad_queue_length_is_a_usage_error(string value)
    {
        var e = Fails("--queue", value, "8888", "h");
        Assert.Equal($"balance: invalid queue length [{value}], 0 to 1000000 expected", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    [Fact]
    public void Queue_timeout_takes_whole_seconds_from_1()
    {
        Assert.Equal(30, Parse("--queue", "5", "--queue-timeout", "30", "8888", "h").QueueTimeoutSeconds);
        Assert.Equal(1, Parse("--queue-timeout=1", "8888", "h").QueueTimeoutSeconds);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("1.5")]
    [InlineData("soon")]
    public void A_bad_queue_timeout_is_a_usage_error(string value)
    {
        var e = Fails("--queue-timeout", value, "8888", "h");
        Assert.Equal($"balance: invalid queue timeout [{value}], whole seconds >= 1 expected", e.Message);
        Assert.Equal(64, e.ExitCode);
    }

    // ---- --hash-type ----

    [Fact]
    public void Hash_groups_are_consistent_unless_modulo_is_asked_for()
    {
        Assert.Equal(GroupType.Hash, Parse("8888", "h", "%").HashType);
        Assert.Equal(GroupType.Hash, Parse("--hash-type", "consistent", "8888", "h").HashType);
        Assert.Equal(GroupType.ModuloHash, Parse("--hash-type=modulo", "8888", "h").HashType);
    }

    [Theory]
    [InlineData("maglev")]
    [InlineData("Modulo")]
    [InlineData("")]
    public void A_bad_hash_type_is_a_usage_error(string value)
    {
        var e = Fails("--hash-type", value, "8888", "h");
        Assert.Equal($"balance: invalid hash type [{value}], consistent or modulo expected", e.Message);
        Assert.Equal(64, e.ExitCode);
    }
}
