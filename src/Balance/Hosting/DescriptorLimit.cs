using Balance.Native;
namespace Balance.Hosting;

/// <summary>Raises the soft open-files limit to the hard one: every relayed connection needs two.</summary>
internal static class DescriptorLimit
{
    public static void RaiseToHardLimit()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        if (Libc.GetRLimit(Libc.RLIMIT_NOFILE, out Libc.RLimit limit) == 0
            && limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            _ = Libc.SetRLimit(Libc.RLIMIT_NOFILE, in limit);
        }
    }
}
