using System.Net;
using System.Net.Sockets;
using Balance.Proxy;

namespace Balance.Tests.Proxy;

public sealed class ListenerFactoryTests
{
    /// <summary>
    /// The epoll engine sets no option on accepted clients: it relies on the
    /// listener handing TCP_NODELAY and SO_KEEPALIVE down to them.
    /// </summary>
    [Fact]
    public void AcceptedSocketsInheritNoDelayAndKeepAlive()
    {
        var settings = new ProxySettings { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        using Socket listener = ListenerFactory.Open(settings);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using Socket accepted = listener.Accept();

        Assert.True(accepted.NoDelay);
        Assert.Equal(1, (int)accepted.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        Assert.False(client.NoDelay); // the option really is the listener's, not a default
    }
}
