namespace Balance.Tests;

public sealed class BalanceExceptionTests
{
    [Fact]
    public void Keeps_message_exit_code_and_usage_flag()
    {
        var e = new BalanceException("invalid port [0], exiting.", 64, showUsage: true);
        Assert.Equal("invalid port [0], exiting.", e.Message);
        Assert.Equal(64, e.ExitCode);
        Assert.True(e.ShowUsage);
        Assert.False(new BalanceException("x", 69).ShowUsage);
    }

    [Theory]
    [InlineData("invalid port [a\nb], exiting.", "invalid port [a?b], exiting.")]
    [InlineData("invalid port [a\r\nb], exiting.", "invalid port [a??b], exiting.")]
    [InlineData("unknown or invalid address [\u001b[31mred]", "unknown or invalid address [?[31mred]")]
    [InlineData("x\u0085y\u2028z\u2029\t\0\u007f", "x?y?z????")]
    [InlineData("unicode stays: äöü 日本 \U0001F600", "unicode stays: äöü 日本 \U0001F600")]
    public void Line_breaks_and_control_characters_become_question_marks(string message, string expected)
    {
        Assert.Equal(expected, new BalanceException(message, 64).Message);
    }
}
