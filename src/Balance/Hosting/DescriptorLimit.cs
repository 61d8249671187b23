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

        if (NativeMethods.getrlimit(NativeMethods.RlimitNoFile, out NativeMethods.RLimit limit) == 0
            && limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            _ = NativeMethods.setrlimit(NativeMethods.RlimitNoFile, in limit);
        }
    }
}
