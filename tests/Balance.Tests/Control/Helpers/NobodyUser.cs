using Balance.Control;
using Balance.Native;

namespace Balance.Tests.Control.Helpers;

/// <summary>
/// Running the balance binary as user nobody, for the permission tests. That
/// needs root (to switch users), setpriv, and a binary nobody can reach.
/// </summary>
internal static class NobodyUser
{
    public const uint Uid = 65534;

    public static readonly string[] SetprivArguments = { "--reuid=nobody", "--regid=nogroup", "--clear-groups" };

    private static readonly Lazy<string?> WhyNot = new(Probe);

    /// <summary>Null when the permission tests can run, else the reason they cannot.</summary>
    public static string? SkipReason => WhyNot.Value;

    public static ToolResult Run(RunDir runDir, string? stdin, params string[] balanceArgs) =>
        ToolRun.Run("setpriv", SetprivArguments.Append(ToolRun.BalanceBinary).Concat(balanceArgs), runDir.Environment, stdin);

    private static string? Probe()
    {
        if (Libc.GetEUid() != 0)
        {
            return "needs root to run the client as nobody";
        }

        try
        {
            ToolResult result = ToolRun.Run("setpriv", SetprivArguments.Append(ToolRun.BalanceBinary).Append("--version"), timeout: TimeSpan.FromSeconds(30));
            return result.ExitCode == 0 ? null : $"nobody cannot run {ToolRun.BalanceBinary}: {result.Stderr.Trim()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return $"setpriv is not usable: {e.Message}";
        }
    }
}

/// <summary>A fact that runs only where the client can be run as nobody; skipped with the reason elsewhere.</summary>
internal sealed class NobodyFactAttribute : FactAttribute
{
    public NobodyFactAttribute()
    {
        if (NobodyUser.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
