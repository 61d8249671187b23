using System.Runtime.InteropServices;
using Balance.Native;

namespace Balance.Control;

/// <summary>What lstat tells about a path: type, permission bits, owner and identity.</summary>
internal readonly record struct FileStat(uint Mode, uint Uid, ulong Inode, uint DevMajor, uint DevMinor)
{
    private const uint TypeMask = 0xF000;
    private const uint SocketType = 0xC000;
    private const uint SymlinkType = 0xA000;
    private const uint DirectoryType = 0x4000;

    public bool IsSocket => (Mode & TypeMask) == SocketType;

    public bool IsSymlink => (Mode & TypeMask) == SymlinkType;

    public bool IsDirectory => (Mode & TypeMask) == DirectoryType;

    /// <summary>The rwx bits for user, group and others.</summary>
    public uint Permissions => Mode & 0x1FF;

    public bool SameFileAs(FileStat other) =>
        Inode == other.Inode && DevMajor == other.DevMajor && DevMinor == other.DevMinor;

    /// <summary>
    /// Stats <paramref name="path"/> without following a final symlink.
    /// Returns false with the errno when it cannot (ENOENT: nothing there).
    /// </summary>
    public static unsafe bool TryLStat(string path, out FileStat stat, out int errno)
    {
        byte* buffer = stackalloc byte[Libc.StatxBufferSize];
        new Span<byte>(buffer, Libc.StatxBufferSize).Clear();
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            stat = default;
            return false;
        }

        // Offsets of struct statx (linux/stat.h), fixed across architectures; native byte order.
        var bytes = new ReadOnlySpan<byte>(buffer, Libc.StatxBufferSize);
        stat = new FileStat(
            Mode: MemoryMarshal.Read<ushort>(bytes[28..]),
            Uid: MemoryMarshal.Read<uint>(bytes[20..]),
            Inode: MemoryMarshal.Read<ulong>(bytes[32..]),
            DevMajor: MemoryMarshal.Read<uint>(bytes[136..]),
            DevMinor: MemoryMarshal.Read<uint>(bytes[140..]));
        errno = 0;
        return true;
    }
}
