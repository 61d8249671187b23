namespace Balance.Tests.Support;

/// <summary>
/// The relay engines balance can run with (BALANCE_ENGINE), and which of them
/// this machine has. This is the one list of engines: <see cref="AllEnginesAttribute"/>
/// runs a test on each engine listed here that is available.
/// </summary>
internal static class Engines
{
    /// <summary>epoll with splice for bulk: the default on Linux.</summary>
    public const string Epoll = "epoll";

    /// <summary>The portable .NET socket engine.</summary>
    public const string Sockets = "sockets";

    /// <summary>epoll with the kernel relay on (BALANCE_KERNEL_RELAY=1): kept-alive pairs move into a BPF sockmap.</summary>
    public const string Kernel = "kernel";

    /// <summary>
    /// Every engine, with the reason it cannot run on this machine (null: it
    /// can). A new engine is one line here; one that needs something only some
    /// machines have (a kernel module, a capability) says so in its reason, and
    /// the tests leave it out where it is missing.
    /// </summary>
    private static readonly (string Name, Func<string?> WhyUnavailable)[] All =
    {
        (Epoll, () => OperatingSystem.IsLinux() ? null : "the epoll engine is Linux only"),
        (Sockets, () => null),
        (Kernel, () => KernelRelayProbe.SkipReason),
    };

    /// <summary>The engines this machine can run, in the order of <see cref="All"/>.</summary>
    public static IEnumerable<string> Available => All.Where(e => e.WhyUnavailable() is null).Select(e => e.Name);

    /// <summary>The environment that selects <paramref name="engine"/>, with <paramref name="more"/> variables added.</summary>
    public static Dictionary<string, string> Environment(string engine, IDictionary<string, string>? more = null) =>
        engine == Kernel
            ? new(more ?? new Dictionary<string, string>()) { ["BALANCE_ENGINE"] = Epoll, ["BALANCE_KERNEL_RELAY"] = "1" }
            : new(more ?? new Dictionary<string, string>()) { ["BALANCE_ENGINE"] = engine };
}
