using Balance.Control;
using Balance.Native;

namespace Balance.Tests.Support;

/// <summary>
/// Running the balance binary as user nobody, for the permission tests. That
/// needs root (to switch users), setpriv, and a binary nobody can reach.
/// </summary>
internal static class NobodyUser
{
    public const uint Uid = 65534;

    private static readonly string[] SetprivArguments = { "--reuid=nobody", "--regid=nogroup", "--clear-groups" };

    private static readonly Lazy<string?> WhyNot = new(Probe);

    /// <summary>Null when the permission tests can run, else the reason they cannot.</summary>
    public static string? SkipReason => WhyNot.Value;

    /// <summary>What starts balance as nobody: setpriv execs it, so the pid is balance's.</summary>
    public static IReadOnlyList<string> Launcher => ["setpriv", .. SetprivArguments, "--"];

    /// <summary>Runs balance as nobody to completion, with the run directory <paramref name="runDirectory"/>.</summary>
    public static Task<ProcessResult> RunAsync(TestRunDirectory runDirectory, string? stdin, params string[] balanceArgs) =>
        ProcessRun.RunAsync("setpriv", [.. SetprivArguments, BalanceProcess.BinaryPath, .. balanceArgs], runDirectory.Environment, stdin);

    private static string? Probe()
    {
        if (Libc.GetEUid() != 0)
        {
            return "needs root to run the client as nobody";
        }

        try
        {
            // Asked while tests are discovered, where nothing can be awaited.
            ProcessResult result = ProcessRun.RunAsync("setpriv", [.. SetprivArguments, BalanceProcess.BinaryPath, "--version"]).GetAwaiter().GetResult();
            return result.ExitCode == 0 ? null : $"nobody cannot run {BalanceProcess.BinaryPath}: {result.Stderr.Trim()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return $"setpriv is not usable: {e.Message}";
        }
    }
}

/// <summary>A theory that runs only where balance can be run as nobody; skipped with the reason elsewhere.</summary>
internal sealed class NobodyTheoryAttribute : TheoryAttribute
{
    public NobodyTheoryAttribute()
    {
        if (NobodyUser.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
