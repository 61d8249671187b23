namespace Balance.Tests.Support;

/// <summary>One row of <c>balance -c show PORT</c>.</summary>
internal sealed record ShowRow(
    int Group, string Type, int Channel, bool Enabled, string Address, int Port,
    long Connections, long TotalConnections, int MaxConnections, long Sent, long Received);

/// <summary>The control shell of a running instance (<c>balance -c CMD PORT</c>), run as a process of its own.</summary>
internal static class Shell
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(int port, string command) =>
        BalanceProcess.RunAsync("-c", command, port.ToString());

    /// <summary>The channels as <c>show</c> prints them; throws when the shell fails.</summary>
    public static async Task<IReadOnlyList<ShowRow>> ShowAsync(int port)
    {
        var (exit, stdout, stderr) = await RunAsync(port, "show");
        if (exit != 0)
        {
            throw new InvalidOperationException($"balance -c show {port} exited with {exit}: {stderr}");
        }

        var rows = new List<ShowRow>();
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            rows.Add(new ShowRow(
                int.Parse(f[0]), f[1], int.Parse(f[2]), f[3] == "ENA", f[4], int.Parse(f[5]),
                long.Parse(f[6]), long.Parse(f[7]), int.Parse(f[8]), long.Parse(f[9]), long.Parse(f[10])));
        }

        return rows;
    }

    public static async Task<ShowRow> ChannelAsync(int port, int group, int channel) =>
        (await ShowAsync(port)).Single(r => r.Group == group && r.Channel == channel);
}
