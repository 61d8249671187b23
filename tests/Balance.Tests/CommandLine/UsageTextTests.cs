using Balance.CommandLine;

namespace Balance.Tests.CommandLine;

public sealed class UsageTextTests
{
    private static readonly string[] Lines = UsageText.Build().Split('\n');

    [Fact]
    public void Starts_with_the_banner_then_names_the_version()
    {
        Assert.Equal(" _           _", Lines[0]);
        int banner = Array.FindIndex(Lines, l => l.Trim() == $"this is balance {Balance.Version.Text}");
        Assert.True(banner > 0, "the line 'this is balance X.Y' is missing");
        Assert.All(Lines[..banner], l => Assert.DoesNotContain("usage", l));
    }

    [Fact]
    public void Version_is_major_dot_minor()
    {
        Assert.Matches(@"^\d+\.\d+$", Balance.Version.Text);
    }

    [Fact]
    public void Synopsis_comes_before_options_and_options_before_examples()
    {
        int usage = Array.FindIndex(Lines, l => l.Trim() == "usage:");
        int firstOption = Array.FindIndex(Lines, l => l.TrimStart().StartsWith("-a ", StringComparison.Ordinal));
        int examples = Array.FindIndex(Lines, l => l.Trim() == "examples:");
        Assert.True(usage > 0);
        Assert.True(firstOption > usage);
        Assert.True(examples > firstOption);
        Assert.Contains(Lines[(usage + 1)..firstOption], l => l.Contains("balance [-b addr] -i"));
        Assert.Contains(Lines[(usage + 1)..firstOption], l => l.Contains("balance [-b addr] -c cmd"));
    }

    [Theory]
    [InlineData('a')]
    [InlineData('b')]
    [InlineData('B')]
    [InlineData('c')]
    [InlineData('d')]
    [InlineData('f')]
    [InlineData('H')]
    [InlineData('i')]
    [InlineData('M')]
    [InlineData('p')]
    [InlineData('t')]
    [InlineData('T')]
    [InlineData('6')]
    public void Every_option_letter_has_its_own_line(char letter)
    {
        Assert.Single(Lines, l => l.TrimStart().StartsWith($"-{letter} ", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_option_letter_of_the_parser_is_documented()
    {
        foreach (char letter in CommandLineParser.OptionLetters.Where(c => c != ':'))
        {
            Assert.Contains(Lines, l => l.TrimStart().StartsWith($"-{letter} ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Ends_with_a_line_break_and_has_no_carriage_returns()
    {
        string text = UsageText.Build();
        Assert.EndsWith("\n", text);
        Assert.DoesNotContain('\r', text);
    }
}
