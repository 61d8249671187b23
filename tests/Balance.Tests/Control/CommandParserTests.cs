using Balance.Control;

namespace Balance.Tests.Control;

public class CommandParserTests
{
    [Theory]
    [InlineData("q", nameof(CommandKind.Quit))]
    [InlineData("quit", nameof(CommandKind.Quit))]
    [InlineData("s", nameof(CommandKind.Show))]
    [InlineData("sho", nameof(CommandKind.Show))]
    [InlineData("h", nameof(CommandKind.Help))]
    [InlineData("he", nameof(CommandKind.Help))]
    [InlineData("?", nameof(CommandKind.Help))]
    [InlineData("ha", nameof(CommandKind.Hash))]
    [InlineData("hash", nameof(CommandKind.Hash))]
    [InlineData("k", nameof(CommandKind.Kill))]
    [InlineData("d", nameof(CommandKind.Disable))]
    [InlineData("g", nameof(CommandKind.Group))]
    [InlineData("r", nameof(CommandKind.Reset))]
    [InlineData("re", nameof(CommandKind.Reset))]
    [InlineData("rr", nameof(CommandKind.RoundRobin))]
    [InlineData("e", nameof(CommandKind.Enable))]
    [InlineData("c", nameof(CommandKind.Create))]
    [InlineData("a", nameof(CommandKind.Assign))]
    [InlineData("m", nameof(CommandKind.Maxc))]
    [InlineData("mr", nameof(CommandKind.MrtgBytes))]
    [InlineData("mrtg-", nameof(CommandKind.MrtgBytes))]
    [InlineData("mrtg-c", nameof(CommandKind.MrtgConns))]
    [InlineData("mrtg-conns", nameof(CommandKind.MrtgConns))]
    [InlineData("v", nameof(CommandKind.Version))]
    [InlineData("version", nameof(CommandKind.Version))]
    [InlineData("w", nameof(CommandKind.Weight))]
    [InlineData("weight", nameof(CommandKind.Weight))]
    [InlineData("l", nameof(CommandKind.LeastConnections))]
    [InlineData("leastconn", nameof(CommandKind.LeastConnections))]
    [InlineData("showx", nameof(CommandKind.SyntaxError))]
    [InlineData("SHOW", nameof(CommandKind.SyntaxError))]
    [InlineData("x", nameof(CommandKind.SyntaxError))]
    [InlineData("-", nameof(CommandKind.SyntaxError))]
    public void Command_words_match_by_prefix_in_the_original_order(string word, string expected)
    {
        Assert.Equal(Enum.Parse<CommandKind>(expected), CommandParser.Match(word));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" \t ")]
    public void Blank_line_is_empty(string line)
    {
        Assert.Equal(CommandKind.Empty, CommandParser.Parse(line).Kind);
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("enable")]
    [InlineData("reset")]
    [InlineData("group")]
    [InlineData("maxc 1")]
    [InlineData("mrtg-bytes 0")]
    [InlineData("mrtg-conns")]
    [InlineData("create host")]
    [InlineData("assign 1 host")]
    [InlineData("disable x")]
    [InlineData("disable 1x")]
    [InlineData("group 0.5")]
    [InlineData("maxc a 1")]
    [InlineData("assign x host 80")]
    [InlineData("frobnicate")]
    [InlineData("disable 99999999999999999999999")]
    public void Missing_or_bad_arguments_are_syntax_errors(string line)
    {
        Assert.Equal(CommandKind.SyntaxError, CommandParser.Parse(line).Kind);
    }

    [Fact]
    public void Arguments_are_separated_by_blanks_and_tabs_and_extra_ones_ignored()
    {
        Assert.Equal(new ControlCommand(CommandKind.Disable, First: 3), CommandParser.Parse("  dis\t3   junk"));
        Assert.Equal(new ControlCommand(CommandKind.Maxc, First: 1, Second: 16), CommandParser.Parse("maxc\t1\t16"));
        Assert.Equal(new ControlCommand(CommandKind.MrtgBytes, First: 2, Second: 5), CommandParser.Parse("mrtg-bytes 2 5 x"));
        Assert.Equal(new ControlCommand(CommandKind.Group, First: -1), CommandParser.Parse("group -1"));
    }

    [Fact]
    public void Create_and_assign_carry_host_and_port_as_typed()
    {
        Assert.Equal(new ControlCommand(CommandKind.Create, Host: "[::1]", Port: "smtp"), CommandParser.Parse("create [::1] smtp"));
        Assert.Equal(new ControlCommand(CommandKind.Assign, First: 2, Host: "host1", Port: "8080"), CommandParser.Parse("a 2 host1 8080"));
    }

    [Theory]
    [InlineData("show json", true)]
    [InlineData("s json", true)]
    [InlineData("show", false)]
    [InlineData("show JSON", false)]
    [InlineData("show other", false)]
    public void Show_json_asks_for_json(string line, bool json)
    {
        ControlCommand command = CommandParser.Parse(line);
        Assert.Equal(CommandKind.Show, command.Kind);
        Assert.Equal(json, command.Json);
    }

    [Fact]
    public void Carriage_return_of_a_pasted_line_is_a_blank()
    {
        Assert.Equal(CommandKind.Show, CommandParser.Parse("show\r").Kind);
    }
}
