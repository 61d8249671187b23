using System.Net;
using System.Net.Sockets;
using Balance.Hosting;

namespace Balance.Tests.Hosting;

/// <summary>What a socket from systemd or a predecessor must be: a listening TCP socket on the listen port (and -b address).</summary>
public sealed class InheritedListenerTests
{
    private static Socket Listening(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        socket.Listen();
        return socket;
    }

    private static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    [Fact]
    public void AListeningTcpSocketOnThePortIsAccepted()
    {
        using Socket socket = Listening(IPAddress.Loopback);
        int port = PortOf(socket);

        Assert.Null(InheritedListener.WhyNot((int)socket.Handle, new IPEndPoint(IPAddress.Any, port), checkAddress: false));
        Assert.Null(InheritedListener.WhyNot((int)socket.Handle, new IPEndPoint(IPAddress.Loopback, port), checkAddress: true));
        Assert.Equal(port, InheritedListener.ListeningPort((int)socket.Handle));
    }

    [Fact]
    public void AnotherPortOrAddressIsRefused()
    {
        using Socket socket = Listening(IPAddress.Loopback);
        int fd = (int)socket.Handle;
        int port = PortOf(socket);

        Assert.Equal($"descriptor {fd} listens on port {port}, not on {port + 1}",
            InheritedListener.WhyNot(fd, new IPEndPoint(IPAddress.Any, port + 1), checkAddress: false));
        Assert.Equal($"descriptor {fd} listens on 127.0.0.1, not on 127.0.0.2",
            InheritedListener.WhyNot(fd, new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), checkAddress: true));
    }

    [Fact]
    public void ABoundButNotListeningSocketIsRefused()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        Assert.Equal($"descriptor {(int)socket.Handle} is not listening",
            InheritedListener.WhyNot((int)socket.Handle, new IPEndPoint(IPAddress.Any, PortOf(socket)), checkAddress: false));
        Assert.Equal(0, InheritedListener.ListeningPort((int)socket.Handle));
    }

    [Fact]
    public void UdpUnixAndNonSocketsAreRefused()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using FileStream file = File.OpenRead("/proc/self/stat");
        var any = new IPEndPoint(IPAddress.Any, 1);

        Assert.EndsWith("is not a TCP socket", InheritedListener.WhyNot((int)udp.Handle, any, false));
        Assert.EndsWith("is not a TCP socket", InheritedListener.WhyNot((int)unix.Handle, any, false));
        Assert.Contains("is not a socket", InheritedListener.WhyNot((int)file.SafeFileHandle.DangerousGetHandle(), any, false));
    }
}
