using System.Globalization;
using System.Text.RegularExpressions;

namespace Balance.Tests.Support;

/// <summary>A backend <see cref="ProxyFixture"/> starts: its name (what it greets with), behaviour and listen backlog.</summary>
internal sealed record BackendSpec(string Name, TestBackend.Behaviour Behaviour = TestBackend.Behaviour.GreetThenEcho, int Backlog = 512)
{
    public static implicit operator BackendSpec(string name) => new(name);
}

/// <summary>What <see cref="ProxyFixture"/> starts besides the engine; every part is optional.</summary>
internal sealed record ProxySetup
{
    /// <summary>Test backends to start, on loopback ports of their own.</summary>
    public IReadOnlyList<BackendSpec> Backends { get; init; } = [];

    /// <summary>
    /// The channel arguments, where <c>{NAME}</c> stands for the address and
    /// port of the backend NAME (<c>["{first}:2", "!", "{overflow}"]</c>); by
    /// default one channel per backend, in order, in one round-robin group.
    /// </summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Options before the listen port (<c>-t 1</c>, <c>--grace 60</c>, <c>-b 127.0.0.1</c>); <c>-f</c> is always given.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>The port to listen on; by default a fresh <see cref="FreePort"/>.</summary>
    public int? Port { get; init; }

    /// <summary>Where the control socket goes; by default the shared run directory. The fixture does not remove it.</summary>
    public TestRunDirectory? RunDirectory { get; init; }

    /// <summary>A launcher that execs balance (<see cref="NobodyUser.Launcher"/>, prlimit).</summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];
}

/// <summary>
/// The common set-up of an end-to-end test: test backends, and balance in the
/// foreground in front of them on one engine, ready once it listens and
/// answers on its control socket. Disposing stops balance by its pid first,
/// then the backends.
/// <code>
/// await using var proxy = await ProxyFixture.StartAsync(engine, "A", "B");
/// Assert.Equal("A", await TestClient.WhoAnswersAsync(proxy.Port));
/// </code>
/// </summary>
internal sealed partial class ProxyFixture : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, TestBackend> _byName;

    private ProxyFixture(string engine, int port, TestRunDirectory runDirectory, List<TestBackend> backends)
    {
        Engine = engine;
        Port = port;
        RunDirectory = runDirectory;
        Backends = backends;
        _byName = backends.ToDictionary(b => b.Name);
    }

    public string Engine { get; }

    public int Port { get; }

    /// <summary>The listen port as balance's arguments spell it.</summary>
    public string PortText => Port.ToString(CultureInfo.InvariantCulture);

    public BalanceProcess Process { get; private set; } = null!;

    public int Pid => Process.Pid;

    public IReadOnlyList<TestBackend> Backends { get; }

    public TestRunDirectory RunDirectory { get; }

    /// <summary>The path of the instance's control socket.</summary>
    public string ControlSocket => Process.ControlSocket!;

    /// <summary>The backend named <paramref name="name"/>.</summary>
    public TestBackend this[string name] => _byName[name];

    /// <summary>Greeting backends with these names, one channel each in one round-robin group, on <paramref name="engine"/>.</summary>
    public static Task<ProxyFixture> StartAsync(string engine, params string[] backends) =>
        StartAsync(engine, new ProxySetup { Backends = backends.Select(name => new BackendSpec(name)).ToArray() });

    public static async Task<ProxyFixture> StartAsync(string engine, ProxySetup setup)
    {
        var backends = new List<TestBackend>();
        try
        {
            foreach (BackendSpec spec in setup.Backends)
            {
                backends.Add(new TestBackend(spec.Name, spec.Behaviour, backlog: spec.Backlog));
            }

            int port = setup.Port ?? FreePort.Next();
            TestRunDirectory runDirectory = setup.RunDirectory ?? TestRunDirectory.Shared;
            var fixture = new ProxyFixture(engine, port, runDirectory, backends);

            IEnumerable<string> channels = setup.Channels?.Select(fixture.Resolve) ?? backends.Select(backend => backend.Channel);
            string[] args = ["-f", .. setup.Options, fixture.PortText, .. channels];
            fixture.Process = await BalanceProcess.StartProxyThroughAsync(
                port, setup.Launcher, Engines.Environment(engine, runDirectory.Environment), args);
            return fixture;
        }
        catch
        {
            backends.ForEach(backend => backend.Dispose());
            throw;
        }
    }

    /// <summary><c>balance -c COMMAND PORT</c> against this instance.</summary>
    public Task<ProcessResult> ShellAsync(string command) => Shell.RunAsync(Port, command, RunDirectory);

    /// <summary>Another balance run to completion with this instance's run directory: <c>-i PORT</c>, <c>-d -c CMD PORT</c>.</summary>
    public Task<ProcessResult> ClientAsync(string? stdin, params string[] args) =>
        BalanceProcess.RunAsync(args, RunDirectory.Environment, stdin);

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync().ConfigureAwait(false);
        }

        foreach (TestBackend backend in Backends)
        {
            backend.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A channel argument with each <c>{NAME}</c> replaced by that backend's address and port.</summary>
    private string Resolve(string channel) =>
        Placeholder().Replace(channel, m => _byName.TryGetValue(m.Groups[1].Value, out TestBackend? backend)
            ? backend.Channel
            : throw new ArgumentException($"no backend named {m.Groups[1].Value} for the channel {channel}"));

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Placeholder();
}
