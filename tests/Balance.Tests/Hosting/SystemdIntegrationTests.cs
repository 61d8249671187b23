using System.Net.Sockets;
using System.Text;
using Balance.Hosting;

namespace Balance.Tests.Hosting;

/// <summary>Reading LISTEN_FDS/LISTEN_PID, and what goes to NOTIFY_SOCKET and where.</summary>
public sealed class SystemdIntegrationTests
{
    [Theory]
    [InlineData(null, null, 0)]
    [InlineData("1", null, 0)]
    [InlineData(null, "4242", 0)]
    [InlineData("1", "4242", 1)]
    [InlineData("3", "4242", 3)]
    [InlineData("0", "4242", 0)]
    [InlineData("2", "4243", 0)] // for another process (inherited from a parent)
    [InlineData("2", "x", 0)]
    public void ListenFdsCountOnlyForThisProcess(string? fds, string? pid, int expected)
    {
        Assert.Equal(expected, SocketActivation.Count(fds, pid, 4242));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("-1")]
    [InlineData("99999")]
    public void ABadListenFdsIsAUsageError(string fds)
    {
        var e = Assert.Throws<BalanceException>(() => SocketActivation.Count(fds, "4242", 4242));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal($"balance: invalid LISTEN_FDS [{fds}]", e.Message);
    }

    [Fact]
    public void ReadyIsOneLineAndAfterATakeoverNamesTheNewMainPid()
    {
        Assert.Equal("READY=1\n", SystemdNotify.Ready(null));
        Assert.Equal("MAINPID=1234\nREADY=1\n", SystemdNotify.Ready(1234));
        Assert.Equal("STOPPING=1\n", SystemdNotify.Stopping);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("@")]
    [InlineData("relative/path")]
    [InlineData("vsock:2:1234")]
    public void NoSocketNameMeansNothingIsSent(string? value)
    {
        Assert.Null(SystemdNotify.Address(value));
    }

    [Fact]
    public void AnAtSignNamesTheAbstractNamespace()
    {
        // On the wire: the family, a NUL byte, the name without a terminating NUL.
        System.Net.SocketAddress wire = SystemdNotify.Address("@balance/notify")!.Serialize();
        byte[] path = Enumerable.Range(2, wire.Size - 2).Select(i => wire[i]).ToArray();
        Assert.Equal("\0balance/notify", Encoding.ASCII.GetString(path));
        Assert.Equal("/run/systemd/notify", SystemdNotify.Address("/run/systemd/notify")!.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheMessageArrivesAsOneDatagram(bool abstractName)
    {
        string directory = Directory.CreateTempSubdirectory("notify-").FullName;
        try
        {
            string name = abstractName ? $"@balance-notify-test-{Guid.NewGuid():N}" : Path.Combine(directory, "notify");
            using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            receiver.Bind(SystemdNotify.Address(name)!);
            receiver.ReceiveTimeout = 10_000;

            using (SystemdNotify notify = SystemdNotify.For(name)!)
            {
                notify.Send(SystemdNotify.Ready(77));
            }

            byte[] buffer = new byte[256];
            int length = receiver.Receive(buffer);
            Assert.Equal("MAINPID=77\nREADY=1\n", Encoding.ASCII.GetString(buffer, 0, length));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
