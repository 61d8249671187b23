using System.Net;
using System.Net.Sockets;
using System.Text;
using Balance.Tests.Support;
using Balance.Upgrade;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --takeover that cannot happen: one line saying why, exit 69, and the
/// instance that runs (here a stand-in on the control socket) is left alone.
/// </summary>
public sealed class TakeoverFailureEndToEndTests
{
    [Fact]
    public async Task WithoutARunningInstanceItSaysSoAndExits69()
    {
        using var run = new TestRunDirectory();
        int port = FreePort.Next();

        ProcessResult result = await BalanceProcess.RunAsync(new[] { "-f", "--takeover", port.ToString(), "127.0.0.1:1" }, run.Environment);

        Assert.Equal(69, result.ExitCode);
        Assert.Equal(
            $"balance: --takeover: no running instance for port {port} to take over (no answer on {run.SocketPath(port)})\n",
            result.Stderr);
        Assert.False(TcpTable.IsListening(port));
    }

    [NobodyTheory]
    [AllEngines]
    public async Task AnotherUsersInstanceIsRefusedWith77AndServesOn(string engine)
    {
        using var run = new TestRunDirectory();
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["A"], RunDirectory = run });

        ProcessResult result = await NobodyUser.RunAsync(run, null, "-f", "--takeover", proxy.PortText, "127.0.0.1:1");

        Assert.Equal(77, result.ExitCode);
        Assert.Equal($"balance: --takeover: permission denied on control socket {proxy.ControlSocket}\n", result.Stderr);
        Assert.Contains("  0   RR  0 ENA", (await proxy.ShellAsync("show")).Stdout);
        Assert.Equal("A", await TestClient.WhoAnswersAsync(proxy.Port));
    }

    [Fact]
    public async Task AnInstanceOlderThanTakeoverIsReported()
    {
        using var run = new TestRunDirectory();
        int port = FreePort.Next();
        using var old = new FakeInstance(run.SocketPath(port), (socket, _) => Send(socket, "ok 0\nsyntax error\n"));

        ProcessResult result = await BalanceProcess.RunAsync(new[] { "-f", "--takeover", port.ToString(), "127.0.0.1:1" }, run.Environment);

        Assert.Equal(69, result.ExitCode);
        Assert.Equal(
            $"balance: --takeover: the running instance (pid {Environment.ProcessId}) does not support takeover (it answered \"syntax error\"): restart it instead\n",
            result.Stderr);
        Assert.Equal(TakeoverProtocol.Request, old.Requests.Last());
    }

    [Fact]
    public async Task ASocketOnAnotherPortIsRefused()
    {
        using var run = new TestRunDirectory();
        int port = FreePort.Next();
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        other.Listen();
        int otherPort = ((IPEndPoint)other.LocalEndPoint!).Port;
        using var old = new FakeInstance(run.SocketPath(port), (socket, _) => Offer(socket, (int)other.Handle));

        ProcessResult result = await BalanceProcess.RunAsync(new[] { "-f", "--takeover", port.ToString(), "127.0.0.1:1" }, run.Environment);

        Assert.Equal(69, result.ExitCode);
        Assert.Matches(
            $@"^balance: --takeover: refused the socket pid {Environment.ProcessId} passed: descriptor \d+ listens on port {otherPort}, not on {port}\n$",
            result.Stderr);
        Assert.False(TcpTable.IsListening(port));
    }

    [Fact]
    public async Task ASocketThatIsNotListeningTcpIsRefused()
    {
        using var run = new TestRunDirectory();
        int port = FreePort.Next();
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
        using var old = new FakeInstance(run.SocketPath(port), (socket, _) => Offer(socket, (int)udp.Handle));

        ProcessResult result = await BalanceProcess.RunAsync(new[] { "-f", "--takeover", port.ToString(), "127.0.0.1:1" }, run.Environment);

        Assert.Equal(69, result.ExitCode);
        Assert.Matches(@"^balance: --takeover: refused the socket pid \d+ passed: descriptor \d+ is not a TCP socket\n$", result.Stderr);
    }

    private static void Send(Socket socket, string text) => socket.Send(Encoding.ASCII.GetBytes(text));

    private static void Offer(Socket socket, int fd)
    {
        byte[] document = AdminStateDocument.Write(AdminState.Empty);
        Assert.True(DescriptorPassing.Send((int)socket.Handle, fd, Encoding.ASCII.GetBytes(TakeoverProtocol.Offer(Environment.ProcessId, document.Length)), out _));
        socket.Send(document);
    }

    /// <summary>A stand-in for a running instance on a control socket: greets, reads a request, answers as told.</summary>
    private sealed class FakeInstance : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly Thread _thread;

        public FakeInstance(string path, Action<Socket, string> answer)
        {
            _listener.Bind(new UnixDomainSocketEndPoint(path));
            _listener.Listen();
            _thread = new Thread(() =>
            {
                while (true)
                {
                    Socket client;
                    try
                    {
                        client = _listener.Accept();
                    }
                    catch (SocketException)
                    {
                        return;
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }

                    using (client)
                    {
                        try
                        {
                            client.ReceiveTimeout = 10_000;
                            Send(client, $"balance-control 1 {Environment.ProcessId}\n");
                            string line = ReadLine(client);
                            if (line.Length > 0)
                            {
                                Requests.Enqueue(line);
                                answer(client, line);
                                client.Shutdown(SocketShutdown.Both);
                                ReadLine(client); // until the other side closes
                            }
                        }
                        catch (SocketException)
                        {
                        }
                    }
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

        private static string ReadLine(Socket socket)
        {
            var line = new StringBuilder();
            byte[] one = new byte[1];
            while (socket.Receive(one) == 1 && one[0] != '\n')
            {
                line.Append((char)one[0]);
            }

            return line.ToString();
        }

        public void Dispose()
        {
            _listener.Dispose();
        }
    }
}
