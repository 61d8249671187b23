using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Balance.Control;

namespace Balance.Tests.Support;

/// <summary>
/// Control commands spoken straight onto an instance's control socket, as the
/// shell does but without starting a process per command: cheap enough to
/// poll every few milliseconds when a test measures how soon something shows.
/// </summary>
internal static class ControlQuery
{
    /// <summary>The output of <paramref name="command"/> (without the protocol's reply header).</summary>
    public static async Task<string> RunAsync(string controlSocket, string command, int group = 0)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using Socket socket = await RawControlSocket.ConnectAsync(controlSocket, timeout.Token);
        _ = await RawControlSocket.ReadLineAsync(socket, timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(ControlProtocol.Request(group, command)), SocketFlags.None, timeout.Token);
        string reply = await RawControlSocket.ReadToEndAsync(socket, timeout.Token);
        return reply[(reply.IndexOf('\n') + 1)..];
    }

    /// <summary>The S column of <c>show</c> for a channel: ENA, dis or DWN.</summary>
    public static async Task<string> StateAsync(string controlSocket, int group, int channel)
    {
        foreach (string line in (await RunAsync(controlSocket, "show")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (int.Parse(f[0]) == group && int.Parse(f[2]) == channel)
            {
                return f[3];
            }
        }

        throw new InvalidOperationException($"no group {group} channel {channel} in show");
    }

    /// <summary>A channel's object in <c>show json</c>.</summary>
    public static async Task<JsonElement> ChannelAsync(string controlSocket, int group, int channel)
    {
        using JsonDocument doc = JsonDocument.Parse(await RunAsync(controlSocket, "show json"));
        foreach (JsonElement g in doc.RootElement.GetProperty("groups").EnumerateArray())
        {
            if (g.GetProperty("group").GetInt32() == group)
            {
                return g.GetProperty("channels")[channel].Clone();
            }
        }

        throw new InvalidOperationException($"no group {group} in show json");
    }

    /// <summary>The health state in <c>show json</c> (up, down, unknown), or null without checks.</summary>
    public static async Task<string?> HealthAsync(string controlSocket, int group, int channel) =>
        (await ChannelAsync(controlSocket, group, channel)).TryGetProperty("health", out JsonElement health)
            ? health.GetProperty("state").GetString()
            : null;
}
