using Balance.Control;

namespace Balance.Tests.Control;

public class ControlSocketNameTests
{
    [Theory]
    [InlineData(8080, null, "balance.8080.0.0.0.0")]
    [InlineData(25, "", "balance.25.0.0.0.0")]
    [InlineData(25, "0.0.0.0", "balance.25.0.0.0.0")]
    [InlineData(8080, "127.0.0.1", "balance.8080.127.0.0.1")]
    [InlineData(8080, "::1", "balance.8080.::1")]
    [InlineData(8080, "[0:0::1]", "balance.8080.::1")]
    [InlineData(8080, "localhost", "balance.8080.localhost")]
    [InlineData(8080, "../../etc/x", "balance.8080..._.._etc_x")]
    public void Name_is_port_and_bind_address(int port, string? bind, string expected)
    {
        Assert.Equal(expected, ControlSocketName.For(port, bind));
    }
}
