using System.Runtime.InteropServices;

namespace Balance.Native;

/// <summary>
/// struct epoll_event as the kernel lays it out: packed (12 bytes, the data at
/// offset 4) on x86, 16 bytes with the data at offset 8 elsewhere.
/// </summary>
internal static unsafe class EpollEvent
{
    private static readonly bool Packed = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    public static readonly int Size = Packed ? 12 : 16;

    private static readonly int DataOffset = Packed ? 4 : 8;

    /// <summary>epoll_ctl for <paramref name="fd"/> with <paramref name="events"/> and <paramref name="data"/>; false when refused.</summary>
    public static bool Control(int epoll, int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = data;
        return Libc.EpollCtl(epoll, op, fd, ev) == 0;
    }

    public static uint Events(byte* events, int index) => *(uint*)(events + (index * Size));

    public static ulong Data(byte* events, int index) => *(ulong*)(events + (index * Size) + DataOffset);
}
