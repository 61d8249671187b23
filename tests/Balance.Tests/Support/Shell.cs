using System.Globalization;

namespace Balance.Tests.Support;

/// <summary>One row of <c>balance -c show PORT</c>.</summary>
internal sealed record ShowRow(
    int Group, string Type, int Channel, bool Enabled, string Address, int Port,
    long Connections, long TotalConnections, int MaxConnections, long Sent, long Received);

/// <summary>
/// The control shell of a running instance (<c>balance -c CMD PORT</c>), run
/// as a process of its own; the instance's run directory is the shared one
/// unless another is given.
/// </summary>
internal static class Shell
{
    public static Task<ProcessResult> RunAsync(int port, string command, TestRunDirectory? directory = null) =>
        BalanceProcess.RunAsync(new[] { "-c", command, port.ToString(CultureInfo.InvariantCulture) }, (directory ?? TestRunDirectory.Shared).Environment);

    /// <summary>The channels as <c>show</c> prints them; throws when the shell fails.</summary>
    public static async Task<IReadOnlyList<ShowRow>> ShowAsync(int port, TestRunDirectory? directory = null)
    {
        var (exit, stdout, stderr) = await RunAsync(port, "show", directory);
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

    public static async Task<ShowRow> ChannelAsync(int port, int group, int channel, TestRunDirectory? directory = null) =>
        (await ShowAsync(port, directory)).Single(r => r.Group == group && r.Channel == channel);
}
