using System.Net.Sockets;
using System.Text.RegularExpressions;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>Where the kernel refuses the kernel relay, balance says so once and relays in user space.</summary>
public sealed class KernelRelayFallbackTests
{
    [NobodyTheory]
    [InlineData(Engines.Kernel)]
    public async Task WithoutThePrivilegesTheKernelRelayIsRefusedOnceAndPairsRelayInUserSpace(string engine)
    {
        using var runDirectory = new TestRunDirectory();
        Assert.Equal(0, (await ProcessRun.RunAsync("chown", ["nobody:nogroup", runDirectory.Path])).ExitCode);
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = [new("echo", TestBackend.Behaviour.Echo)],
            RunDirectory = runDirectory,
            Launcher = NobodyUser.Launcher,
        });

        using (Socket client = await TestClient.ConnectAsync(proxy.Port))
        {
            await Traffic.EchoRoundsAsync(client, rounds: 10, size: 1000, TestClient.ReadTimeout);
        }

        using (Socket another = await TestClient.ConnectAsync(proxy.Port))
        {
            await Traffic.EchoRoundsAsync(another, rounds: 10, size: 1000, TestClient.ReadTimeout);
        }

        string stderr = proxy.Process.Stderr;
        Assert.Single(Regex.Matches(stderr, "kernel relay unavailable: .*CAP_BPF and CAP_NET_ADMIN.*; relaying in user space"));
    }

    [Fact]
    public async Task TheSocketsEngineSaysItCannot()
    {
        await using var proxy = await ProxyFixture.StartAsync(Engines.Sockets, new ProxySetup
        {
            Backends = [new("echo", TestBackend.Behaviour.Echo)],
            Options = ["--kernel-relay"],
        });

        using Socket client = await TestClient.ConnectAsync(proxy.Port);
        await Traffic.EchoRoundsAsync(client, rounds: 5, size: 100, TestClient.ReadTimeout);
        Assert.Contains("kernel relay unavailable: it needs the Linux epoll engine; relaying in user space", proxy.Process.Stderr);
    }
}
