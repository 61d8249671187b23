namespace Balance.Native;

/// <summary>The errno values balance tells apart (Linux numbering; asm-generic/errno*.h).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int ENFILE = 23;
    public const int EMFILE = 24;
    public const int EPIPE = 32;
    public const int EADDRNOTAVAIL = 99;
    public const int ENETUNREACH = 101;
    public const int ECONNABORTED = 103;
    public const int ECONNRESET = 104;
    public const int ENOBUFS = 105;
    public const int ETIMEDOUT = 110;
    public const int ECONNREFUSED = 111;
    public const int EHOSTUNREACH = 113;
    public const int EINPROGRESS = 115;

    /// <summary>Out of descriptors or kernel memory: the machine's fault, not a peer's.</summary>
    public static bool IsResourceShortage(int errno) => errno is EMFILE or ENFILE or ENOBUFS or ENOMEM;

    /// <summary>Try again later: nothing failed.</summary>
    public static bool IsTransient(int errno) => errno is EAGAIN or EINTR;
}
