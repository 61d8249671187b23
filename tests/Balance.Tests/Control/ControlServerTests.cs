using System.Net;
using System.Net.Sockets;
using System.Text;
using Balance.Control;
using Balance.Hosting;
using Balance.Routing;
using Balance.Tests.Control.Helpers;
using Balance.Native;

namespace Balance.Tests.Control;

/// <summary>The control server in this process, against well-behaved and hostile clients.</summary>
public sealed class ControlServerTests : IDisposable
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(3);
    private const int MaxClients = 8;

    private readonly RunDir _dir = new();
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
    }

    private Socket Connect() => RawControlSocket.Connect(_server.Path, TimeSpan.FromSeconds(10));

    private static string ReadAll(Socket socket) => RawControlSocket.ReadToEnd(socket);

    private static string ReadLine(Socket socket)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (socket.Receive(one) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }

    private string Exchange(string request)
    {
        using Socket socket = Connect();
        socket.Send(Encoding.UTF8.GetBytes(request));
        return ReadAll(socket);
    }

    private string Greeting => ControlProtocol.Greeting(Environment.ProcessId);

    [Fact]
    public void Answers_a_command_and_closes()
    {
        Assert.Equal(Greeting + "ok 0\n" + "channel 0 disabled\n", Exchange("0 disable 0\n"));
        Assert.Equal(Greeting + "ok 4\n", Exchange("0 group 4\n"));
    }

    [Fact]
    public async Task Kill_answers_before_it_shuts_down()
    {
        Assert.Equal(Greeting + "kill 0\n", Exchange("0 kill\n"));
        await _killed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Garbage_is_a_syntax_error_and_the_server_keeps_serving()
    {
        Assert.Equal(Greeting + "ok 0\nsyntax error\n", Exchange("\u0001\u00ff\u0000garbage\n"));
        Assert.Equal(Greeting + "ok 0\nsyntax error\n", Exchange("0 \u00ff\u00fe\n"));
        Assert.Equal(Greeting + "ok 0\nsyntax error\n", Exchange("999 show\n"));
        Assert.StartsWith(Greeting + "ok 0\n" + ShowFormatter.Header, Exchange("0 show\n"));
    }

    [Fact]
    public async Task Megabyte_line_is_cut_off_with_a_syntax_error()
    {
        using Socket socket = Connect();
        Assert.Equal(Greeting.TrimEnd('\n'), ReadLine(socket));
        byte[] huge = Encoding.ASCII.GetBytes("0 show " + new string('x', 1 << 20));
        Task sending = Threads.Run(() =>
        {
            try
            {
                socket.Send(huge);
            }
            catch (SocketException)
            {
                // The server stops reading once the line is too long.
            }
        });

        Assert.Equal("ok 0\nsyntax error\n", ReadAll(socket));
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith(Greeting + "ok 0\n" + ShowFormatter.Header, Exchange("0 show\n"));
    }

    [Fact]
    public void Silent_client_is_dropped_after_the_timeout()
    {
        using Socket silent = Connect();
        silent.ReceiveTimeout = 60000;
        Assert.Equal(Greeting.TrimEnd('\n'), ReadLine(silent));
        long start = Environment.TickCount64;
        Assert.Equal("", ReadAll(silent));
        long waited = Environment.TickCount64 - start;
        Assert.InRange(waited, 2000, 60000);
    }

    [Fact]
    public void Client_that_only_looks_is_fine()
    {
        using (Socket look = Connect())
        {
            Assert.Equal(Greeting.TrimEnd('\n'), ReadLine(look));
        }

        Assert.StartsWith(Greeting + "ok 0\n", Exchange("0 version\n"));
    }

    [Fact]
    public void Clients_over_the_cap_are_told_busy_until_a_slot_frees()
    {
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < MaxClients; i++)
            {
                Socket socket = Connect();
                idle.Add(socket);
                Assert.Equal(Greeting.TrimEnd('\n'), ReadLine(socket));
            }

            using (Socket extra = Connect())
            {
                Assert.Equal(ControlProtocol.BusyGreeting, ReadAll(extra));
            }
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }

        Eventually.True(() => Exchange("0 version\n").StartsWith(Greeting, StringComparison.Ordinal), "a free control slot");
    }

    [Fact]
    public void Many_clients_at_once_all_get_their_answer()
    {
        string[] answers = Threads.ForEach(200, 16, _ =>
        {
            while (true)
            {
                string answer = Exchange("0 mrtg-conns 0 0\n");
                if (answer != ControlProtocol.BusyGreeting)
                {
                    return answer;
                }

                // Over the cap of this test server: ask again.
            }
        });

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
    public void Peer_credentials_name_this_process()
    {
        using Socket socket = Connect();
        PeerCredentials peer = PeerCredentials.Of(socket);
        Assert.Equal(Environment.ProcessId, peer.Pid);
        Assert.Equal(Libc.GetEUid(), peer.Uid);
    }
}
