using System.Net.Sockets;
using System.Text;
using Balance.Control;
using Balance.Tests.Support;

namespace Balance.Tests.Control;

/// <summary>A real instance keeps proxying and answering while control clients misbehave.</summary>
public sealed class ControlHostileClientsEndToEndTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly TestRunDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<ProxyFixture> StartAsync(string engine) =>
        ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["A"], RunDirectory = _dir });

    [Theory]
    [AllEngines]
    public async Task Silent_garbage_and_huge_clients_do_not_stop_proxy_or_control(string engine)
    {
        await using var proxy = await StartAsync(engine);
        using var timeout = new CancellationTokenSource(Timeout);
        string path = proxy.ControlSocket;
        string greeting = ControlProtocol.Greeting(proxy.Pid);
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                silent.Add(await RawControlSocket.ConnectAsync(path, timeout.Token));
            }

            using (Socket garbage = await RawControlSocket.ConnectAsync(path, timeout.Token))
            {
                await garbage.SendAsync(new byte[] { 0, 1, 2, 0xff, 0xfe, (byte)'\n' }, SocketFlags.None, timeout.Token);
                Assert.Equal(greeting + "ok 0\nsyntax error\n", await RawControlSocket.ReadToEndAsync(garbage, timeout.Token));
            }

            using (Socket huge = await RawControlSocket.ConnectAsync(path, timeout.Token))
            {
                byte[] line = Encoding.ASCII.GetBytes("0 show " + new string('y', 1 << 20));
                Task sending = SendIgnoringResetAsync(huge, line, timeout.Token);
                Assert.Equal(greeting + "ok 0\nsyntax error\n", await RawControlSocket.ReadToEndAsync(huge, timeout.Token));
                await sending;
            }

            using (Socket client = await TestClient.ConnectAsync(proxy.Port))
            {
                Assert.Equal("A", await TestClient.ReadLineAsync(client));
                await Traffic.EchoRoundsAsync(client, rounds: 1, size: 4096, Timeout);
                await TestClient.FinishAsync(client);
            }

            ProcessResult show = await proxy.ShellAsync("mrtg-conns 0 0");
            Assert.Equal((0, "1\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n"), (show.ExitCode, show.Stdout));
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [AllEngines]
    public async Task Many_shells_at_once_all_get_their_answer(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult[] results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => proxy.ShellAsync(i % 2 == 0 ? "show" : "version")));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.All(results, r => Assert.True(r.Stdout.StartsWith("GRP", StringComparison.Ordinal) || r.Stdout.StartsWith("  This is balance", StringComparison.Ordinal), r.Stdout));
    }

    private static async Task SendIgnoringResetAsync(Socket socket, byte[] data, CancellationToken cancellation)
    {
        try
        {
            await socket.SendAsync(data, SocketFlags.None, cancellation);
        }
        catch (SocketException)
        {
            // The instance stops reading a line that is too long.
        }
    }
}
