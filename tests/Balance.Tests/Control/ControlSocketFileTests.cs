using System.Net.Sockets;
using Balance.Control;
using Balance.Tests.Support;
using Balance.Native;

namespace Balance.Tests.Control;

public sealed class ControlSocketFileTests : IDisposable
{
    private readonly TestRunDirectory _dir = new();

    private string SocketPath => Path.Combine(_dir.Path, "balance.1.0.0.0.0");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Socket_is_created_0600_and_removed_at_dispose()
    {
        using (ControlSocketFile file = ControlSocketFile.Create(SocketPath))
        {
            Assert.True(FileStat.TryLStat(SocketPath, out FileStat stat, out _));
            Assert.True(stat.IsSocket);
            Assert.Equal(0x180u, stat.Permissions); // 0600
        }

        Assert.False(FileStat.TryLStat(SocketPath, out _, out _));
    }

    [Fact]
    public void Stale_socket_of_a_dead_instance_is_replaced()
    {
        SocketFiles.CreateStale(SocketPath);
        Assert.True(SocketFiles.IsSocket(SocketPath));
        using ControlSocketFile file = ControlSocketFile.Create(SocketPath);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(SocketPath));
    }

    [Fact]
    public void Live_socket_stops_the_start()
    {
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(SocketPath));
        live.Listen();

        var e = Assert.Throws<BalanceException>(() => ControlSocketFile.Create(SocketPath));
        Assert.Equal(71, e.ExitCode);
        Assert.Equal($"balance: another instance is already controlled through {SocketPath}", e.Message);
        Assert.True(SocketFiles.IsSocket(SocketPath));
    }

    [Fact]
    public void Planted_symlink_is_neither_followed_nor_replaced()
    {
        string target = Path.Combine(_dir.Path, "target");
        File.WriteAllText(target, "keep");
        File.CreateSymbolicLink(SocketPath, target);

        var e = Assert.Throws<BalanceException>(() => ControlSocketFile.Create(SocketPath));
        Assert.Contains("is not a socket", e.Message);
        Assert.Equal("keep", File.ReadAllText(target));
        Assert.True(FileStat.TryLStat(SocketPath, out FileStat stat, out _) && stat.IsSymlink);
    }

    [Fact]
    public void Regular_file_is_not_replaced()
    {
        File.WriteAllText(SocketPath, "data");
        Assert.Throws<BalanceException>(() => ControlSocketFile.Create(SocketPath));
        Assert.Equal("data", File.ReadAllText(SocketPath));
    }

    [Fact]
    public void Socket_of_a_successor_is_left_alone_at_dispose()
    {
        ControlSocketFile mine = ControlSocketFile.Create(SocketPath);
        Assert.Equal(0, Libc.Unlink(SocketPath));
        using var successor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        successor.Bind(new UnixDomainSocketEndPoint(SocketPath));
        successor.Listen();

        mine.Dispose();

        Assert.True(SocketFiles.IsSocket(SocketPath));
    }

    [Fact]
    public void Too_long_path_is_a_clear_error()
    {
        string path = Path.Combine(_dir.Path, new string('x', 200));
        var e = Assert.Throws<BalanceException>(() => ControlSocketFile.Create(path));
        Assert.Contains("too long", e.Message);
    }
}
