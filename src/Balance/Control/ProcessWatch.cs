using System.Runtime.InteropServices;
using Balance.Native;

namespace Balance.Control;

/// <summary>Whether a process still exists: what <c>kill</c> waits for before it says the shutdown is complete.</summary>
internal static class ProcessWatch
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls until <paramref name="pid"/> is gone; false if it is still there after <paramref name="timeout"/>.</summary>
    public static bool WaitForExit(int pid, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!IsGone(pid))
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            Thread.Sleep(PollInterval);
        }

        return true;
    }

    /// <summary>
    /// Gone, or a zombie: kill(pid, 0) still succeeds on a zombie whose parent
    /// has not reaped it yet, so /proc's state letter decides where it is there.
    /// </summary>
    public static bool IsGone(int pid)
    {
        if (pid <= 0)
        {
            return true;
        }

        if (Directory.Exists("/proc/self"))
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                int close = stat.LastIndexOf(')');
                return close >= 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Fall back to the signal test below.
            }
        }

        return Libc.Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() == Errno.ESRCH;
    }
}
