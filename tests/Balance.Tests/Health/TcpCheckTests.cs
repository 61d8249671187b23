using System.Net;
using System.Net.Sockets;
using Balance.Health;
using Balance.Hosting;
using Balance.Proxy.Session;
using Balance.Routing;
using Balance.Tests.Support;

namespace Balance.Tests.Health;

/// <summary>
/// The TCP check on its own thread against loopback servers the test starts:
/// connect, send and expect, banners, timeouts, the -B source, the reset
/// that ends every check.
/// </summary>
public sealed class TcpCheckTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static HealthOptions Options(string? send = null, string? expect = null) => new()
    {
        IntervalMs = 100,
        TimeoutMs = 300,
        Rise = 1,
        Fall = 1,
        Send = send is null ? null : CheckEscapes.Decode(send, "--check-send"),
        Expect = expect is null ? null : CheckEscapes.Decode(expect, "--check-expect"),
    };

    private static (RoutingTable Table, HealthChecks Checks) Check(HealthOptions options, IPAddress? source, params IPEndPoint[] targets)
    {
        var group = new ChannelGroup();
        foreach (IPEndPoint target in targets)
        {
            group.Channels.Add(new Channel(target, 0));
        }

        var table = new RoutingTable([group]);
        var log = new Log(debug: false, TextWriter.Null);
        return (table, HealthChecks.Start(table, options, new OutgoingSource(source, log), log, TimeProvider.System));
    }

    private static IPEndPoint At(TestBackend backend) => new(IPAddress.Loopback, backend.Port);

    private static async Task<HealthDetails> VerdictAsync(RoutingTable table, int channel, ChannelHealth health)
    {
        await Poll.UntilAsync(() => table.Status(0, channel)!.Value.Health == health, Wait, $"channel {channel} to be {health}");
        return table.Status(0, channel)!.Value.Checks!.Value;
    }

    [Fact]
    public async Task A_listening_server_passes_and_a_closed_port_is_refused()
    {
        using var live = new TestBackend("live");
        int closed = FreePort.Next();
        var (table, checks) = Check(Options(), null, At(live), new IPEndPoint(IPAddress.Loopback, closed));
        using (checks)
        {
            Assert.Equal("passed", (await VerdictAsync(table, 0, ChannelHealth.Up)).LastCheck);
            Assert.Equal("connection refused", (await VerdictAsync(table, 1, ChannelHealth.Down)).LastCheck);
            await Poll.UntilAsync(() => table.Status(0, 0)!.Value.Checks!.Value.Successes >= 3, Wait, "three checks in a row");
            Assert.InRange(table.Status(0, 0)!.Value.Checks!.Value.LastCheckMilliseconds!.Value, 0, 300);
        }
    }

    [Fact]
    public async Task Send_and_expect_pass_on_an_answering_server_and_fail_on_a_hung_one()
    {
        using var echo = new TestBackend("echo", TestBackend.Behaviour.Echo);
        using var hung = new TestBackend("hung", TestBackend.Behaviour.Silent);
        var (table, checks) = Check(Options(send: @"PING\r\n", expect: @"PING\r"), null, At(echo), At(hung));
        using (checks)
        {
            Assert.Equal("passed", (await VerdictAsync(table, 0, ChannelHealth.Up)).LastCheck);
            Assert.Equal("no expected reply within 0.3 s", (await VerdictAsync(table, 1, ChannelHealth.Down)).LastCheck);
        }
    }

    [Fact]
    public async Task Expect_alone_waits_for_the_servers_banner()
    {
        using var greeter = new TestBackend("220 ready");
        var (table, checks) = Check(Options(expect: "220 "), null, At(greeter));
        using (checks)
        {
            await VerdictAsync(table, 0, ChannelHealth.Up);
        }
    }

    [Fact]
    public async Task A_server_that_closes_before_the_expected_reply_fails()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        using var stop = new CancellationTokenSource();
        Task closing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using Socket client = await listener.AcceptAsync(stop.Token);
                    client.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                    // The check reset the connection before the shutdown: the next one will do.
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });

        var (table, checks) = Check(Options(send: "x", expect: "never"), null, (IPEndPoint)listener.LocalEndPoint!);
        using (checks)
        {
            Assert.Equal("closed before the expected reply", (await VerdictAsync(table, 0, ChannelHealth.Down)).LastCheck);
        }

        stop.Cancel();
        await closing.WaitAsync(Wait);
    }

    [Fact]
    public async Task A_wrong_banner_times_out()
    {
        using var greeter = new TestBackend("hello");
        var (table, checks) = Check(Options(expect: "ESMTP"), null, At(greeter));
        using (checks)
        {
            Assert.Equal("no expected reply within 0.3 s", (await VerdictAsync(table, 0, ChannelHealth.Down)).LastCheck);
        }
    }

    [Fact]
    public async Task Checks_start_from_the_outgoing_source_address()
    {
        using var live = new TestBackend("live");
        var (table, checks) = Check(Options(), IPAddress.Parse("127.0.0.2"), At(live));
        using (checks)
        {
            await VerdictAsync(table, 0, ChannelHealth.Up);
            await Poll.UntilAsync(() => live.ClientAddresses.Count >= 3, Wait, "the server to accept three checks"); // the socket is kept: its bound source must stay
        }

        Assert.All(live.ClientAddresses, address => Assert.Equal(IPAddress.Parse("127.0.0.2"), address));
    }

    [Fact]
    public async Task Every_check_ends_its_connection_so_none_pile_up()
    {
        using var live = new TestBackend("live");
        var (table, checks) = Check(Options(), null, At(live));
        using (checks)
        {
            await Poll.UntilAsync(() => live.Accepted >= 10, Wait, "ten checks");
            await Poll.UntilAsync(() => live.Open <= 1, Wait, "the server to see each check's end");
            Assert.InRange(TcpTable.Established(live.Port), 0, 2);
        }
    }

    [Fact]
    public async Task A_check_ends_with_a_reset_and_the_next_one_reuses_the_socket()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        var target = (IPEndPoint)listener.LocalEndPoint!;
        HealthOptions options = Options();
        var log = new Log(debug: false, TextWriter.Null);
        var check = new TcpCheck(options, new CheckTexts(options.TimeoutMs), new OutgoingSource(null, log));
        var entry = new HealthEntry(0, 0, new Channel(target, 0), 0, new RiseFall(1, 1));
        var clientPorts = new List<int>();
        int firstFd = -1;
        try
        {
            for (int round = 0; round < 3; round++)
            {
                _ = check.Begin(entry, target, long.MaxValue);
                using Socket accepted = await listener.AcceptAsync().WaitAsync(Wait);
                clientPorts.Add(((IPEndPoint)accepted.RemoteEndPoint!).Port);
                Assert.Equal(CheckStep.Done, OnReady(check)); // the server accepted, so the connect is done
                Assert.Equal("passed", check.Result.Text);
                firstFd = round == 0 ? check.Fd : firstFd;
                Assert.Equal(firstFd, check.Fd);
                check.End();

                var buffer = new byte[16];
                SocketException reset = await Assert.ThrowsAsync<SocketException>(
                    () => accepted.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Wait));
                Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
            }
        }
        finally
        {
            check.CloseSocket();
        }

        Assert.Equal(3, clientPorts.Distinct().Count()); // a new connection each time, from a new port
    }

    [Fact]
    public async Task A_socket_whose_connects_were_refused_connects_once_the_server_is_back()
    {
        int port = FreePort.Next();
        var (table, checks) = Check(Options(), null, new IPEndPoint(IPAddress.Loopback, port));
        using (checks)
        {
            await VerdictAsync(table, 0, ChannelHealth.Down);
            await Poll.UntilAsync(() => table.Status(0, 0)!.Value.Checks!.Value.Failures >= 3, Wait, "three refused checks");
            using var live = new TestBackend("live", port: port);
            Assert.Equal("passed", (await VerdictAsync(table, 0, ChannelHealth.Up)).LastCheck);
        }
    }

    [Fact]
    public async Task Sockets_kept_between_checks_do_not_wake_the_thread_again_and_again()
    {
        // A kept socket reports a hang-up once disconnected; armed for more than one event it would wake the loop without end.
        using var live = new TestBackend("live");
        using var hung = new TestBackend("hung", TestBackend.Behaviour.Silent);
        var (table, checks) = Check(Options(expect: "live"), null, At(live), At(hung));
        using (checks)
        {
            await Poll.UntilAsync(() => live.Accepted >= 5 && hung.Accepted >= 5, Wait, "five checks of each channel, passed and timed out");
            long wakeUps = checks.WakeUps;
            int checksRun = live.Accepted + hung.Accepted;
            Assert.InRange(wakeUps, 1, 10L * checksRun);
        }
    }

    /// <summary>The connect has completed (the server accepted it): one step of the check on it.</summary>
    private static unsafe CheckStep OnReady(TcpCheck check)
    {
        byte* scratch = stackalloc byte[64];
        return check.OnReady(scratch, 64);
    }
}
