using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd.ScaleOut;

/// <summary>One row of <c>show</c>: the backends of these tests all live on 127.0.0.1, so the port names the channel.</summary>
internal readonly record struct ShowRow(int Group, int Index, string State, int Port);

internal static class ShowRows
{
    public static async Task<List<ShowRow>> ReadAsync(string controlSocket) =>
        (await ControlQuery.RunAsync(controlSocket, "show"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => new ShowRow(int.Parse(f[0]), int.Parse(f[2]), f[3], int.Parse(f[5])))
            .ToList();

    /// <summary>The S column of the channel to <paramref name="port"/>, or null when there is none.</summary>
    public static async Task<string?> StateOfAsync(string controlSocket, int port) =>
        (await ReadAsync(controlSocket)).Where(r => r.Port == port).Select(r => r.State).FirstOrDefault();

    public static async Task<int> IndexOfAsync(string controlSocket, int port) =>
        (await ReadAsync(controlSocket)).Single(r => r.Port == port).Index;
}
