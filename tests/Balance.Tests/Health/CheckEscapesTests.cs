using System.Text;
using Balance.Health;

namespace Balance.Tests.Health;

/// <summary>The escapes of --check-send and --check-expect.</summary>
public sealed class CheckEscapesTests
{
    [Theory]
    [InlineData("PING", "PING")]
    [InlineData(@"PING\r\n", "PING\r\n")]
    [InlineData(@"a\tb", "a\tb")]
    [InlineData(@"back\\slash", @"back\slash")]
    [InlineData(@"\\r is not a return", @"\r is not a return")]
    [InlineData(@"\x41\x42\x43", "ABC")]
    [InlineData(@"\x0d\x0A", "\r\n")]
    [InlineData(@"HELO x\r\n", "HELO x\r\n")]
    public void Escapes_become_bytes(string text, string expected) =>
        Assert.Equal(Encoding.ASCII.GetBytes(expected), CheckEscapes.Decode(text, "--check-send"));

    [Fact]
    public void Hex_escapes_give_any_byte() =>
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x7F, (byte)'z' }, CheckEscapes.Decode(@"\x00\xff\x7Fz", "--check-send"));

    [Fact]
    public void Other_characters_are_utf8() =>
        Assert.Equal("é\n"u8.ToArray(), CheckEscapes.Decode(@"é\n", "--check-expect"));

    [Theory]
    [InlineData(@"\q", @"[\q]")]
    [InlineData(@"ok\", @"[\]")]
    [InlineData(@"\x", @"[\x]")]
    [InlineData(@"\x4", @"[\x4]")]
    [InlineData(@"\xZZ", @"[\xZZ]")]
    [InlineData(@"\0", @"[\0]")]
    [InlineData(@"\R", @"[\R]")]
    public void A_bad_escape_is_named_in_one_line(string text, string shown)
    {
        BalanceException e = Assert.Throws<BalanceException>(() => CheckEscapes.Decode(text, "--check-send"));
        Assert.Equal($@"balance: invalid escape {shown} in --check-send, use \r \n \t \\ or \xHH", e.Message);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public void An_empty_string_is_an_error() =>
        Assert.Equal(
            "balance: --check-expect needs a string that is not empty",
            Assert.Throws<BalanceException>(() => CheckEscapes.Decode("", "--check-expect")).Message);
}
