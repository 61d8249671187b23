using Balance.Upgrade;

namespace Balance.Tests.Upgrade;

public sealed class TakeoverProtocolTests
{
    [Fact]
    public void TheOfferCarriesPidAndLength()
    {
        Assert.Equal("takeover 1 123 45\n", TakeoverProtocol.Offer(123, 45));
        Assert.True(TakeoverProtocol.TryParseOffer("takeover 1 123 45", out int pid, out int length));
        Assert.Equal((123, 45), (pid, length));
    }

    [Theory]
    [InlineData("takeover 2 123 45")]
    [InlineData("takeover 1 123")]
    [InlineData("takeover 1 x 45")]
    [InlineData("takeover 1 123 99999999")] // over the document's limit
    [InlineData("ok 0")]
    public void AnythingElseIsNoOffer(string line)
    {
        Assert.False(TakeoverProtocol.TryParseOffer(line, out _, out _));
    }

    [Fact]
    public void AnOlderInstanceIsRecognisedByItsOrdinaryReply()
    {
        Assert.True(TakeoverProtocol.IsOrdinaryReply("ok 0"));
        Assert.False(TakeoverProtocol.IsOrdinaryReply("takeover 1 123 45"));
        Assert.False(TakeoverProtocol.IsOrdinaryReply("takeover refused stopping"));
    }

    [Fact]
    public void RefusalAndDrainingAreRead()
    {
        Assert.Equal("stopping", TakeoverProtocol.RefusalReason(TakeoverProtocol.Refused("stopping").TrimEnd('\n')));
        Assert.Null(TakeoverProtocol.RefusalReason("ok 0"));
        Assert.Equal(30, TakeoverProtocol.DrainSeconds(TakeoverProtocol.Draining(30).TrimEnd('\n')));
        Assert.Null(TakeoverProtocol.DrainSeconds("draining soon"));
    }
}
