using Balance.Native;
using Balance.Proxy.Linux.Kernel;

namespace Balance.Tests.Support;

/// <summary>
/// Whether this machine can run the kernel relay (--kernel-relay): root, and
/// the same load balance does (maps, the program through the verifier, the
/// attach), tried once in this process.
/// </summary>
internal static class KernelRelayProbe
{
    private static readonly Lazy<string?> WhyNot = new(Probe);

    /// <summary>Null when the kernel relay loads here, else why not.</summary>
    public static string? SkipReason => WhyNot.Value;

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the kernel relay is Linux only";
        }

        if (Libc.GetEUid() != 0)
        {
            return "the kernel relay needs root (CAP_BPF and CAP_NET_ADMIN)";
        }

        using KernelRelay? relay = KernelRelay.TryLoad(out string reason);
        return relay is null ? $"the kernel relay cannot load here: {reason}" : null;
    }
}

/// <summary>A fact that runs only where the kernel relay loads; skipped with the reason elsewhere.</summary>
internal sealed class KernelRelayFactAttribute : FactAttribute
{
    public KernelRelayFactAttribute()
    {
        if (KernelRelayProbe.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that runs only where the kernel relay loads; skipped with the reason elsewhere.</summary>
internal sealed class KernelRelayTheoryAttribute : TheoryAttribute
{
    public KernelRelayTheoryAttribute()
    {
        if (KernelRelayProbe.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
