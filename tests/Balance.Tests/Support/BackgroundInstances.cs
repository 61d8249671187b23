namespace Balance.Tests.Support;

/// <summary>Finds the pid of a background balance a test started, so it can be stopped by that pid.</summary>
internal static class BackgroundInstances
{
    public static int? FindPid(int listenPort)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string[] argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                bool isBalance = argv.Length > 0 && (argv[0].EndsWith("/balance", StringComparison.Ordinal) || argv.Any(a => a.EndsWith("/balance.dll", StringComparison.Ordinal)));
                if (!isBalance || !argv.Contains(listenPort.ToString()))
                {
                    continue;
                }

                string environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (environ.Split('\0').Contains("BALANCE_DAEMON_CHILD=1"))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }
}
