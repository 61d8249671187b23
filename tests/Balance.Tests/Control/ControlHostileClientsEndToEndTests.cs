using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Balance.Control;
using Balance.Tests.Control.Helpers;

namespace Balance.Tests.Control;

/// <summary>A real instance keeps proxying and answering while control clients misbehave.</summary>
public sealed class ControlHostileClientsEndToEndTests : IDisposable
{
    private readonly RunDir _dir = new();
    private readonly GreetingBackend _backend = new("A");
    private readonly InstanceProcess _instance;

    public ControlHostileClientsEndToEndTests()
    {
        _instance = InstanceProcess.Start(_dir, FreePort.Next(), new[] { _backend.Channel });
    }

    public void Dispose()
    {
        _instance.Dispose();
        _backend.Dispose();
        _dir.Dispose();
    }

    private Socket Connect() => RawControlSocket.Connect(_instance.SocketPath, TimeSpan.FromSeconds(20));

    private static string ReadToEnd(Socket socket) => RawControlSocket.ReadToEnd(socket);

    [Fact]
    public async Task Silent_garbage_and_huge_clients_do_not_stop_proxy_or_control()
    {
        string greeting = ControlProtocol.Greeting(_instance.Pid);
        var silent = Enumerable.Range(0, 10).Select(_ => Connect()).ToList();
        try
        {
            using (Socket garbage = Connect())
            {
                garbage.Send(new byte[] { 0, 1, 2, 0xff, 0xfe, (byte)'\n' });
                Assert.Equal(greeting + "ok 0\nsyntax error\n", ReadToEnd(garbage));
            }

            using (Socket huge = Connect())
            {
                byte[] line = Encoding.ASCII.GetBytes("0 show " + new string('y', 1 << 20));
                var sending = Threads.Run(() =>
                {
                    try
                    {
                        huge.Send(line);
                    }
                    catch (SocketException)
                    {
                        // The instance stops reading a line that is too long.
                    }
                });
                Assert.Equal(greeting + "ok 0\nsyntax error\n", ReadToEnd(huge));
                await sending.WaitAsync(TimeSpan.FromSeconds(20));
            }

            using (ProxyClient client = ProxyClient.Open(_instance.Port))
            {
                Assert.Equal("A", client.Backend);
                client.Echo(new byte[4096]);
                client.Finish();
            }

            ToolResult show = ToolRun.Balance(_dir, null, "-c", "mrtg-conns 0 0", _instance.Port.ToString(CultureInfo.InvariantCulture));
            Assert.Equal((0, "1\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n"), (show.ExitCode, show.Stdout));
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void Many_shells_at_once_all_get_their_answer()
    {
        string port = _instance.Port.ToString(CultureInfo.InvariantCulture);
        ToolResult[] results = Threads.ForEach(12, 12, i => ToolRun.Balance(_dir, null, "-c", i % 2 == 0 ? "show" : "version", port));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.All(results, r => Assert.True(r.Stdout.StartsWith("GRP", StringComparison.Ordinal) || r.Stdout.StartsWith("  This is balance", StringComparison.Ordinal), r.Stdout));
    }
}
