using System.Runtime.InteropServices;

namespace Balance.Tests.Support;

internal static partial class Posix
{
    public const int SigTerm = 15;
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigStop = 19;
    public const int SigCont = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    public static void Kill(int pid, int signal) => _ = KillNative(pid, signal);

    public static bool IsAlive(int pid) => KillNative(pid, 0) == 0;
}
