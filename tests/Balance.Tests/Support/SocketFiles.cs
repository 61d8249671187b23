using System.Net.Sockets;
using Balance.Control;
using Balance.Native;

namespace Balance.Tests.Support;

/// <summary>Socket files as a test needs them: present or not, and stale ones left by a dead instance.</summary>
internal static class SocketFiles
{
    public static bool IsSocket(string path) => FileStat.TryLStat(path, out FileStat stat, out _) && stat.IsSocket;

    /// <summary>
    /// A socket file nobody listens on. .NET unlinks the name it bound when the
    /// socket is disposed, so the socket is bound elsewhere and renamed here first.
    /// </summary>
    public static void CreateStale(string path)
    {
        string temporary = path + ".tmp";
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(temporary));
        Assert.Equal(0, Libc.Rename(temporary, path));
    }
}
