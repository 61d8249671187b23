using System.Globalization;
using System.Text.Json;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --check with the operator's commands: a disabled channel stays disabled
/// whatever its checks say (and they still run), -a becomes a disable that
/// ends by itself once the backend is back, created channels are checked and
/// an assigned channel's health starts over.
/// </summary>
public sealed class HealthCheckControlEndToEndTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private static Task<ProxyFixture> StartAsync(string engine, params string[] options) =>
        ProxyFixture.StartAsync(engine, new ProxySetup { Backends = ["A", "B"], Options = ["--check", "--check-interval", "0.2", .. options] });

    private static async Task<string> CommandAsync(ProxyFixture proxy, string command) =>
        await ControlQuery.RunAsync(proxy.ControlSocket, command);

    private static Task UntilAsync(ProxyFixture proxy, int channel, string state, string health) =>
        Poll.UntilAsync(
            async () => await ControlQuery.StateAsync(proxy.ControlSocket, 0, channel) == state
                && await ControlQuery.HealthAsync(proxy.ControlSocket, 0, channel) == health,
            Long,
            $"channel {channel} to show {state} with health {health}");

    private static async Task<JsonElement> HealthAsync(ProxyFixture proxy, int channel) =>
        (await ControlQuery.ChannelAsync(proxy.ControlSocket, 0, channel)).GetProperty("health");

    private static async Task<string[]> ClientsAsync(ProxyFixture proxy, int count)
    {
        var answers = new string[count];
        for (int i = 0; i < count; i++)
        {
            answers[i] = await TestClient.WhoAnswersAsync(proxy.Port);
        }

        return answers;
    }

    [Theory]
    [AllEngines]
    public async Task ADisabledChannelIsStillCheckedButNeverEnabledByGoodChecks(string engine)
    {
        await using var proxy = await StartAsync(engine);
        Assert.Equal("channel 1 disabled\n", await CommandAsync(proxy, "disable 1"));

        await Poll.UntilAsync(async () => (await HealthAsync(proxy, 1)).GetProperty("successes").GetInt32() >= 5, Long, "five good checks of channel 1");
        Assert.Equal("dis", await ControlQuery.StateAsync(proxy.ControlSocket, 0, 1));
        Assert.Equal("up", (await HealthAsync(proxy, 1)).GetProperty("state").GetString());
        Assert.Equal(Enumerable.Repeat("A", 4), await ClientsAsync(proxy, 4));

        // Down while disabled: the health is known, the S column stays the operator's.
        int portB = proxy["B"].Port;
        proxy["B"].Dispose();
        await UntilAsync(proxy, 1, "dis", "down");

        // Enabled by the operator while down: DWN, no client sent there; back up: clients again.
        Assert.Equal("channel 1 enabled\n", await CommandAsync(proxy, "enable 1"));
        Assert.Equal("DWN", await ControlQuery.StateAsync(proxy.ControlSocket, 0, 1));
        Assert.Equal(Enumerable.Repeat("A", 4), await ClientsAsync(proxy, 4));
        using var back = new TestBackend("B", port: portB);
        await UntilAsync(proxy, 1, "ENA", "up");
        Assert.Contains("B", await ClientsAsync(proxy, 4));
    }

    [Theory]
    [AllEngines]
    public async Task WithChecksAutodisableEndsByItselfOnceTheBackendIsBack(string engine)
    {
        await using var proxy = await StartAsync(engine, "-a", "--check-interval", "0.5");
        int portB = proxy["B"].Port;
        await UntilAsync(proxy, 1, "ENA", "up");

        proxy["B"].Dispose();
        // Clients right away, before three checks can fail: the one sent to B is refused, -a takes B out.
        Assert.Equal(Enumerable.Repeat("A", 4), await ClientsAsync(proxy, 4));
        Assert.Equal("dis", await ControlQuery.StateAsync(proxy.ControlSocket, 0, 1));
        string b = "127.0.0.1:" + portB.ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"balance: {b} will be enabled again after 2 good health checks in a row\n", proxy.Process.Stderr);
        Assert.DoesNotContain("needs to be enabled manually", proxy.Process.Stderr);

        using var back = new TestBackend("B", port: portB);
        await UntilAsync(proxy, 1, "ENA", "up");
        Assert.Contains($"balance: group 0 channel 1 ({b}) enabled again: 2 good checks in a row since -a disabled it\n", proxy.Process.Stderr);
        Assert.Contains("B", await ClientsAsync(proxy, 4));
    }

    [Theory]
    [AllEngines]
    public async Task ACreatedChannelIsCheckedAndAnAssignedOnesHealthStartsOver(string engine)
    {
        await using var proxy = await StartAsync(engine);
        using var c = new TestBackend("C");
        string dead = "127.0.0.1 " + FreePort.Next().ToString(CultureInfo.InvariantCulture);

        Assert.Equal("channel created\n", await CommandAsync(proxy, $"create 127.0.0.1 {c.Port}"));
        await UntilAsync(proxy, 2, "dis", "up");

        Assert.Equal("channel 1 disabled\n", await CommandAsync(proxy, "disable 1"));
        Assert.Equal("channel reassigned\n", await CommandAsync(proxy, $"assign 1 {dead}"));
        await UntilAsync(proxy, 1, "dis", "down");
        Assert.Equal("connection refused", (await HealthAsync(proxy, 1)).GetProperty("lastCheck").GetString());

        Assert.Equal("channel reassigned\n", await CommandAsync(proxy, $"assign 1 127.0.0.1 {c.Port}"));
        await UntilAsync(proxy, 1, "dis", "up");
        Assert.Equal("channel 1 enabled\n", await CommandAsync(proxy, "enable 1"));
        Assert.Equal("channel 2 enabled\n", await CommandAsync(proxy, "enable 2"));
        Assert.Equal(["A", "C", "C", "A", "C", "C"], await ClientsAsync(proxy, 6));
    }
}
