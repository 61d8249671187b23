using System.Net.Sockets;
using Balance.Native;
using Balance.Proxy.Session;

namespace Balance.Tests.Proxy.Session;

/// <summary>Both engines classify a failed connect the same way.</summary>
public sealed class ConnectErrorsTests
{
    [Theory]
    [InlineData(0, "Connected")]
    [InlineData(Errno.ECONNREFUSED, "Refused")]
    [InlineData(Errno.ETIMEDOUT, "TimedOut")]
    [InlineData(Errno.ENETUNREACH, "Unreachable")]
    [InlineData(Errno.EHOSTUNREACH, "Unreachable")]
    [InlineData(Errno.EMFILE, "LocalFailure")]
    [InlineData(Errno.ENOBUFS, "LocalFailure")]
    [InlineData(Errno.ECONNRESET, "Other")]
    public void From_errno(int errno, string outcome) => Assert.Equal(outcome, ConnectErrors.FromErrno(errno).ToString());

    [Theory]
    [InlineData(SocketError.Success, "Connected")]
    [InlineData(SocketError.ConnectionRefused, "Refused")]
    [InlineData(SocketError.TimedOut, "TimedOut")]
    [InlineData(SocketError.NetworkUnreachable, "Unreachable")]
    [InlineData(SocketError.HostUnreachable, "Unreachable")]
    [InlineData(SocketError.TooManyOpenSockets, "LocalFailure")]
    [InlineData(SocketError.ConnectionReset, "Other")]
    public void From_socket_error(SocketError error, string outcome) => Assert.Equal(outcome, ConnectErrors.FromSocketError(error).ToString());
}
