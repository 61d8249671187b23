using System.Globalization;
using System.Text.Json;
using Balance.Tests.Support;

namespace Balance.Tests.Control;

/// <summary>Every control command through the real binary: -c and -i against a foreground instance.</summary>
public sealed class ControlCommandsEndToEndTests : IDisposable
{
    private readonly TestRunDirectory _dir = new();
    private readonly int _hashPort = FreePort.Next();

    public void Dispose() => _dir.Dispose();

    /// <summary>The instance: channels to the backends A and B, then a hash group whose one channel has maxc 8.</summary>
    private Task<ProxyFixture> StartAsync(string engine) =>
        ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B"],
            Channels = ["{A}", "{B}", "!", $"[::1]:{_hashPort}:8", "%"],
            RunDirectory = _dir,
        });

    private static string Row(int group, string type, int index, string state, string address, int port, int c = 0, long totalc = 0, int maxc = 0, long sent = 0, long rcvd = 0) =>
        string.Create(CultureInfo.InvariantCulture, $"{group,3} {type,4} {index,2} {state,3} {address,16} {port,5} {c,4} {totalc,11} {maxc,4} {sent,11} {rcvd,11}\n");

    private const string Header = "GRP Type  #   S       ip-address  port    c      totalc maxc        sent        rcvd\n";

    [Theory]
    [AllEngines]
    public async Task Show_prints_header_and_one_row_per_channel(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ShellAsync("show");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            Header +
            Row(0, "RR", 0, "ENA", "127.0.0.1", proxy["A"].Port) +
            Row(0, "RR", 1, "ENA", "127.0.0.1", proxy["B"].Port) +
            Row(1, "Hash", 0, "ENA", "::1", _hashPort, maxc: 8),
            result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [AllEngines]
    public async Task Interactive_shell_answers_every_command(string engine)
    {
        await using var proxy = await StartAsync(engine);
        int portD = FreePort.Next();
        string[] lines =
        {
            "help", "version", "disable 1", "disable 1", "enable 1", "enable 1", "disable 5", "enable x",
            "group 1", "rr", "hash", $"create 127.0.0.1 {portD}", "create a..b 80", "create 127.0.0.1 nosuchservice",
            "create localhost smtp", "assign 1 127.0.0.1 4000", "enable 1", "assign 1 127.0.0.1 4001", "assign 7 127.0.0.1 80",
            "assign 2 a..b 80", "maxc 0 3", "maxc 9 3", "reset 0", "reset 9", "group 64", "sh", "group 0",
            "mrtg-bytes 0 0", "mrtg-conns 1 1", "mrtg-bytes 64 0", "mrtg-conns 1 5", "bogus", "disable", "", "\t",
        };

        ProcessResult result = await proxy.ClientAsync(string.Join("\n", lines) + "\n", "-i", proxy.PortText);

        string expected =
            $"\nbalance {Balance.Version.Text} interactive command shell\nPID of master process is {proxy.Pid}\n\n" +
            "balance[0] " + Balance.Control.ControlTexts.Help +
            "balance[0] " + $"  This is balance {Balance.Version.Text}\n  MAXGROUPS=64\n  MAXCHANNELS=256\n" +
            "balance[0] channel 1 disabled\n" +
            "balance[0] channel 1 already disabled\n" +
            "balance[0] channel 1 enabled\n" +
            "balance[0] channel 1 already enabled\n" +
            "balance[0] no such channel 5\n" +
            "balance[0] syntax error\n" +
            "balance[0] " +
            "balance[1] group 1 set to round robin\n" +
            "balance[1] group 1 set to hash\n" +
            "balance[1] channel created\n" +
            "balance[1] invalid address\n" +
            "balance[1] invalid address\n" +
            "balance[1] channel created\n" +
            "balance[1] channel reassigned\n" +
            "balance[1] channel 1 enabled\n" +
            "balance[1] channel must be disabled to assign new address\n" +
            "balance[1] unknown channel\n" +
            "balance[1] invalid address\n" +
            "balance[1] maxc of channel 0 changed to 3\n" +
            "balance[1] unknown channel\n" +
            "balance[1] channel 0 counters reset\n" +
            "balance[1] no such channel 9\n" +
            "balance[1] value out of range\n" +
            "balance[1] " + Header +
            Row(0, "RR", 0, "ENA", "127.0.0.1", proxy["A"].Port) +
            Row(0, "RR", 1, "ENA", "127.0.0.1", proxy["B"].Port) +
            Row(1, "Hash", 0, "ENA", "::1", _hashPort, maxc: 3) +
            Row(1, "Hash", 1, "ENA", "127.0.0.1", 4000) +
            Row(1, "Hash", 2, "dis", "127.0.0.1", 25) +
            "balance[1] " +
            "balance[0] 0\n0\nUNKNOWN\ngroup 0 channel 0\n" +
            "balance[0] 0\nUNKNOWN\nUNKNOWN\ngroup 1 channel 1\n" +
            "balance[0] unknown group\n" +
            "balance[0] unknown channel\n" +
            "balance[0] syntax error\n" +
            "balance[0] syntax error\n" +
            "balance[0] " +
            "balance[0] " +
            "balance[0] \n";
        Assert.Equal(expected, result.Stdout);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [AllEngines]
    public async Task Interactive_quit_exits_0_without_a_newline(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ClientAsync("group 1\nquit\nshow\n", "-i", proxy.PortText);

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("\n\nbalance[0] balance[1] ", result.Stdout);
    }

    [Theory]
    [AllEngines]
    public async Task Interactive_eof_at_once_prints_prompt_and_newline(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ClientAsync("", "-i", proxy.PortText);

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("\n\nbalance[0] \n", result.Stdout);
    }

    [Theory]
    [AllEngines("disable 0", "channel 0 disabled\n")]
    [AllEngines("d 0", "channel 0 disabled\n")]
    [AllEngines("enable 0", "channel 0 already enabled\n")]
    [AllEngines("hash", "group 0 set to hash\n")]
    [AllEngines("rr", "group 0 set to round robin\n")]
    [AllEngines("group 3", "")]
    [AllEngines("group 99", "value out of range\n")]
    [AllEngines("mrtg-conns 0 1", "0\nUNKNOWN\nUNKNOWN\ngroup 0 channel 1\n")]
    [AllEngines("reset 1", "channel 1 counters reset\n")]
    [AllEngines("maxc 1 2", "maxc of channel 1 changed to 2\n")]
    [AllEngines("nonsense", "syntax error\n")]
    [AllEngines("quit", "")]
    [AllEngines("", "")]
    public async Task Command_runs_in_group_0_and_exits_0(string engine, string command, string expected)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ShellAsync(command);

        Assert.Equal(expected, result.Stdout);
        Assert.Equal(0, result.ExitCode);
    }

    [Theory]
    [AllEngines]
    public async Task Show_json_describes_groups_channels_and_counters(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ShellAsync("show json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(proxy.Pid, doc.RootElement.GetProperty("pid").GetInt32());
        JsonElement groups = doc.RootElement.GetProperty("groups");
        Assert.Equal(2, groups.GetArrayLength());
        Assert.Equal("rr", groups[0].GetProperty("type").GetString());
        Assert.Equal("hash", groups[1].GetProperty("type").GetString());
        Assert.Equal(proxy["B"].Port, groups[0].GetProperty("channels")[1].GetProperty("port").GetInt32());
        Assert.Equal("::1", groups[1].GetProperty("channels")[0].GetProperty("address").GetString());
        Assert.Equal(8, groups[1].GetProperty("channels")[0].GetProperty("maxConnections").GetInt32());
    }

    [Theory]
    [AllEngines]
    public async Task Debug_traces_the_socket_on_stderr(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ClientAsync(null, "-d", "-c", "version", proxy.PortText);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"control socket {proxy.ControlSocket}, master pid {proxy.Pid}", result.Stderr);
        Assert.StartsWith("  This is balance", result.Stdout);
    }

    [Theory]
    [AllEngines]
    public async Task Wrong_bind_address_finds_no_master(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ClientAsync(null, "-b", "127.0.0.1", "-c", "show", proxy.PortText);

        Assert.Equal(69, result.ExitCode);
        Assert.Equal("no master process, exiting.\n", result.Stdout);
    }

    [Theory]
    [AllEngines]
    public async Task M_option_changes_nothing(string engine)
    {
        await using var proxy = await StartAsync(engine);
        ProcessResult result = await proxy.ClientAsync(null, "-M", "-c", "version", proxy.PortText);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("  This is balance", result.Stdout);
    }
}
