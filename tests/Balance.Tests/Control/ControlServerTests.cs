using System.Net;
using System.Net.Sockets;
using System.Text;
using Balance.Control;
using Balance.Hosting;
using Balance.Routing;
using Balance.Tests.Support;
using Balance.Native;

namespace Balance.Tests.Control;

/// <summary>The control server in this process, against well-behaved and hostile clients.</summary>
public sealed class ControlServerTests : IDisposable
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(3);
    private const int MaxClients = 8;

    private readonly TestRunDirectory _dir = new();

    /// <summary>The deadline of every connect and read of a test.</summary>
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly ControlServer _server;
    private readonly TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ControlServerTests()
    {
        var group = new ChannelGroup();
        group.Channels.Add(new Channel(new IPEndPoint(IPAddress.Loopback, 9000), 0));
        var table = new RoutingTable(new[] { group });
        ControlSocketFile file = ControlSocketFile.Create(Path.Combine(_dir.Path, "balance.9.0.0.0.0"));
        _server = new ControlServer(file, new CommandExecutor(table), () => _killed.TrySetResult(), new Log(false),
            Libc.GetEUid(), ClientTimeout, MaxClients);
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
        _timeout.Dispose();
    }

    private Task<Socket> ConnectAsync() => RawControlSocket.ConnectAsync(_server.Path, _timeout.Token);

    private Task<string> ReadAllAsync(Socket socket) => RawControlSocket.ReadToEndAsync(socket, _timeout.Token);

    private Task<string> ReadLineAsync(Socket socket) => RawControlSocket.ReadLineAsync(socket, _timeout.Token);

    private async Task<string> ExchangeAsync(string request)
    {
        using Socket socket = await ConnectAsync();
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), SocketFlags.None, _timeout.Token);
        return await ReadAllAsync(socket);
    }

    private string Greeting => ControlProtocol.Greeting(Environment.ProcessId);

    [Fact]
    public async Task Answers_a_command_and_closes()
    {
        Assert.Equal(Greeting + "ok 0\n" + "channel 0 disabled\n", await ExchangeAsync("0 disable 0\n"));
        Assert.Equal(Greeting + "ok 4\n", await ExchangeAsync("0 group 4\n"));
    }

    [Fact]
    public async Task Kill_answers_before_it_shuts_down()
    {
        Assert.Equal(Greeting + "kill 0\n", await ExchangeAsync("0 kill\n"));
        await _killed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Garbage_is_a_syntax_error_and_the_server_keeps_serving()
    {
        Assert.Equal(Greeting + "ok 0\nsyntax error\n", await ExchangeAsync("\u0001\u00ff\u0000garbage\n"));
        Assert.Equal(Greeting + "ok 0\nsyntax error\n", await ExchangeAsync("0 \u00ff\u00fe\n"));
        Assert.Equal(Greeting + "ok 0\nsyntax error\n", await ExchangeAsync("999 show\n"));
        Assert.StartsWith(Greeting + "ok 0\n" + ShowFormatter.Header, await ExchangeAsync("0 show\n"));
    }

    [Fact]
    public async Task Megabyte_line_is_cut_off_with_a_syntax_error()
    {
        using Socket socket = await ConnectAsync();
        Assert.Equal(Greeting.TrimEnd('\n'), await ReadLineAsync(socket));
        byte[] huge = Encoding.ASCII.GetBytes("0 show " + new string('x', 1 << 20));
        Task sending = SendIgnoringResetAsync(socket, huge);

        Assert.Equal("ok 0\nsyntax error\n", await ReadAllAsync(socket));
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith(Greeting + "ok 0\n" + ShowFormatter.Header, await ExchangeAsync("0 show\n"));
    }

    [Fact]
    public async Task Silent_client_is_dropped_after_the_timeout()
    {
        using Socket silent = await ConnectAsync();
        Assert.Equal(Greeting.TrimEnd('\n'), await ReadLineAsync(silent));
        long start = Environment.TickCount64;
        Assert.Equal("", await ReadAllAsync(silent));
        long waited = Environment.TickCount64 - start;
        Assert.InRange(waited, 2000, 60000);
    }

    [Fact]
    public async Task Client_that_only_looks_is_fine()
    {
        using (Socket look = await ConnectAsync())
        {
            Assert.Equal(Greeting.TrimEnd('\n'), await ReadLineAsync(look));
        }

        Assert.StartsWith(Greeting + "ok 0\n", await ExchangeAsync("0 version\n"));
    }

    [Fact]
    public async Task Clients_over_the_cap_are_told_busy_until_a_slot_frees()
    {
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < MaxClients; i++)
            {
                Socket socket = await ConnectAsync();
                idle.Add(socket);
                Assert.Equal(Greeting.TrimEnd('\n'), await ReadLineAsync(socket));
            }

            using (Socket extra = await ConnectAsync())
            {
                Assert.Equal(ControlProtocol.BusyGreeting, await ReadAllAsync(extra));
            }
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }

        await Poll.UntilAsync(async () => (await ExchangeAsync("0 version\n")).StartsWith(Greeting, StringComparison.Ordinal), TimeSpan.FromSeconds(20), "a free control slot");
    }

    [Fact]
    public async Task Many_clients_at_once_all_get_their_answer()
    {
        const int Clients = 200;
        const int AtOnce = 16;
        string[] answers = new string[Clients];
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Clients)
            {
                string answer;
                do
                {
                    // Over the cap of this test server: ask again.
                    answer = await ExchangeAsync("0 mrtg-conns 0 0\n");
                }
                while (answer == ControlProtocol.BusyGreeting);

                answers[i] = answer;
            }
        }));

        Assert.All(answers, a => Assert.Equal(Greeting + "ok 0\n0\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n", a));
    }

    [Fact]
    public async Task Dispose_removes_the_socket_and_stops_answering()
    {
        string path = _server.Path;
        _server.Dispose();
        Assert.False(SocketFiles.IsSocket(path));
        await _server.AcceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Peer_policy_admits_owner_and_root_only()
    {
        Assert.True(PeerCredentials.MayControl(1000, 1000));
        Assert.True(PeerCredentials.MayControl(0, 1000));
        Assert.False(PeerCredentials.MayControl(1001, 1000));
        Assert.False(PeerCredentials.MayControl(65534, 0));
    }

    [Fact]
    public async Task Peer_credentials_name_this_process()
    {
        using Socket socket = await ConnectAsync();
        PeerCredentials peer = PeerCredentials.Of(socket);
        Assert.Equal(Environment.ProcessId, peer.Pid);
        Assert.Equal(Libc.GetEUid(), peer.Uid);
    }

    private async Task SendIgnoringResetAsync(Socket socket, byte[] data)
    {
        try
        {
            await socket.SendAsync(data, SocketFlags.None, _timeout.Token);
        }
        catch (SocketException)
        {
            // The server stops reading once the line is too long.
        }
    }
}
