using System.Runtime.InteropServices;

namespace Balance.Tests.Support;

/// <summary>Signals to a process by its pid, and whether it is gone.</summary>
internal static partial class Posix
{
    public const int SigTerm = 15;
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigStop = 19;
    public const int SigCont = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>
    /// CPU time the calling thread has used: what a piece of code costs,
    /// unaffected by other processes taking the CPU meanwhile (wall time is not).
    /// </summary>
    public static TimeSpan ThreadCpuTime() =>
        ClockGetTime(ClockThreadCpuTime, out TimeSpec time) == 0
            ? TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100))
            : throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");

    /// <summary>kill(2): 0 when the signal was sent, -1 when not.</summary>
    public static int Kill(int pid, int signal) => KillNative(pid, signal);

    /// <summary>
    /// Gone, or a zombie: kill(pid, 0) still succeeds on a zombie whose parent
    /// has not reaped it yet (a background instance's parent is gone), so
    /// /proc's state letter decides.
    /// </summary>
    public static bool IsGone(int pid)
    {
        if (KillNative(pid, 0) != 0)
        {
            return true;
        }

        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
