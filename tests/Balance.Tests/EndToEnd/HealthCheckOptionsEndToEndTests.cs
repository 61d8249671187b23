using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>A bad health option stops the binary before anything starts: one line on stderr, exit 64, no trace.</summary>
public sealed class HealthCheckOptionsEndToEndTests
{
    [Theory]
    [InlineData("balance: invalid check interval [0], seconds from 0.01 to 86400 expected", "--check", "--check-interval", "0")]
    [InlineData("balance: invalid check timeout [x], seconds from 0.01 to 86400 expected", "--check", "--check-timeout=x")]
    [InlineData("balance: invalid fall [0], a whole number from 1 to 1000 expected", "--check", "--fall", "0")]
    [InlineData(@"balance: invalid escape [\q] in --check-send, use \r \n \t \\ or \xHH", "--check", "--check-send", @"GET\q")]
    [InlineData(@"balance: invalid escape [\x1] in --check-expect, use \r \n \t \\ or \xHH", "--check", "--check-expect", @"\x1")]
    [InlineData("balance: --rise needs --check", "--rise", "2")]
    public async Task ABadHealthOptionIsOneLineAndExit64(string message, params string[] options)
    {
        var (exit, stdout, stderr) = await BalanceProcess.RunAsync([.. options, "8000", "127.0.0.1"]);

        Assert.Equal(64, exit);
        Assert.Equal(message + "\n", stderr);
        Assert.Equal(string.Empty, stdout);
    }
}
