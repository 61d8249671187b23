namespace Balance.Tests.Support;

/// <summary>
/// Real programs some tests drive (promtool, prometheus, chromium, mrtg):
/// found on PATH or in /usr/bin, else the test is skipped saying which
/// Debian package brings it (.ci/run installs them all).
/// </summary>
internal static class ExternalTool
{
    /// <summary>Program name → the Debian package that installs it.</summary>
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["promtool"] = "prometheus",
        ["prometheus"] = "prometheus",
        ["chromium"] = "chromium",
        ["mrtg"] = "mrtg",
        ["dnsmasq"] = "dnsmasq-base",
        ["etcd"] = "etcd-server",
        ["nginx"] = "nginx libnginx-mod-stream",
        ["systemd-socket-activate"] = "systemd",
        ["systemd-analyze"] = "systemd",
    };

    /// <summary>The full path of <paramref name="name"/>, or null when it is not installed.</summary>
    public static string? Find(string name)
    {
        IEnumerable<string> directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin");
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>The full path of an installed program (a test that needs it is skipped otherwise).</summary>
    public static string Require(string name) => Find(name) ?? throw new InvalidOperationException($"{name} is not installed");

    /// <summary>Why tests needing these programs cannot run here, or null when all are installed.</summary>
    public static string? WhyMissing(IEnumerable<string> names)
    {
        string[] missing = names.Where(n => Find(n) is null).ToArray();
        return missing.Length == 0
            ? null
            : $"needs {string.Join(", ", missing)} (Debian: apt-get install {string.Join(' ', missing.Select(n => Packages.GetValueOrDefault(n, n)).Distinct())}), not installed";
    }
}

/// <summary>A theory (run on every engine with <see cref="AllEnginesAttribute"/>) skipped with the reason when a program it needs is missing.</summary>
internal sealed class NeedsToolsTheoryAttribute : TheoryAttribute
{
    public NeedsToolsTheoryAttribute(params string[] tools)
    {
        if (ExternalTool.WhyMissing(tools) is string reason)
        {
            Skip = reason;
        }
    }
}
