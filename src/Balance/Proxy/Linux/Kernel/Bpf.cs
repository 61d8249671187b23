using System.Text;
using Balance.Native;

namespace Balance.Proxy.Linux.Kernel;

/// <summary>
/// The bpf(2) commands the kernel relay uses, each filling its part of
/// union bpf_attr (linux/bpf.h; offsets below). Results are descriptors, 0
/// for success, or -1 with errno in <see cref="Libc.LastError"/>.
/// </summary>
internal static unsafe class Bpf
{
    public const int BPF_MAP_TYPE_HASH = 1;
    public const int BPF_MAP_TYPE_ARRAY = 2;
    public const int BPF_MAP_TYPE_SOCKMAP = 15;
    public const int BPF_PROG_TYPE_SK_SKB = 14;
    public const int BPF_SK_SKB_STREAM_VERDICT = 5;

    /// <summary>A hash map that allocates its entries as they are added.</summary>
    public const uint BPF_F_NO_PREALLOC = 1;

    /// <summary>An array map that user space can mmap.</summary>
    public const uint BPF_F_MMAPABLE = 1 << 10;

    private const int BPF_MAP_CREATE = 0;
    private const int BPF_MAP_UPDATE_ELEM = 2;
    private const int BPF_MAP_DELETE_ELEM = 3;
    private const int BPF_PROG_LOAD = 5;
    private const int BPF_PROG_ATTACH = 8;

    /// <summary>Large enough for every command used here; the kernel takes the rest as zero.</summary>
    private const int AttrSize = 128;

    public static int CreateMap(int type, int keySize, int valueSize, int maxEntries, uint flags, string name)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)attr = (uint)type;
        *(uint*)(attr + 4) = (uint)keySize;
        *(uint*)(attr + 8) = (uint)valueSize;
        *(uint*)(attr + 12) = (uint)maxEntries;
        *(uint*)(attr + 16) = flags;
        WriteName(name, attr + 28);
        return Libc.Bpf(BPF_MAP_CREATE, attr, AttrSize);
    }

    public static int Update(int map, void* key, void* value)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)attr = (uint)map;
        *(ulong*)(attr + 8) = (ulong)key;
        *(ulong*)(attr + 16) = (ulong)value;
        return Libc.Bpf(BPF_MAP_UPDATE_ELEM, attr, AttrSize); // flags 0: BPF_ANY
    }

    public static int Delete(int map, void* key)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)attr = (uint)map;
        *(ulong*)(attr + 8) = (ulong)key;
        return Libc.Bpf(BPF_MAP_DELETE_ELEM, attr, AttrSize);
    }

    /// <summary>Loads a program; <paramref name="log"/> (when not empty) receives the verifier's account.</summary>
    public static int LoadProgram(int type, ReadOnlySpan<byte> instructions, string license, Span<byte> log, string name)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        byte[] licenseBytes = Encoding.ASCII.GetBytes(license + "\0");
        fixed (byte* code = instructions)
        fixed (byte* licenseText = licenseBytes)
        fixed (byte* logBuffer = log)
        {
            *(uint*)attr = (uint)type;
            *(uint*)(attr + 4) = (uint)(instructions.Length / 8);
            *(ulong*)(attr + 8) = (ulong)code;
            *(ulong*)(attr + 16) = (ulong)licenseText;
            if (!log.IsEmpty)
            {
                *(uint*)(attr + 24) = 1; // log_level
                *(uint*)(attr + 28) = (uint)log.Length;
                *(ulong*)(attr + 32) = (ulong)logBuffer;
            }

            WriteName(name, attr + 48);
            return Libc.Bpf(BPF_PROG_LOAD, attr, AttrSize);
        }
    }

    public static int Attach(int target, int program, int attachType)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)attr = (uint)target;
        *(uint*)(attr + 4) = (uint)program;
        *(uint*)(attr + 8) = (uint)attachType;
        return Libc.Bpf(BPF_PROG_ATTACH, attr, AttrSize);
    }

    /// <summary>Object names are at most 15 characters of [A-Za-z0-9_.], NUL-terminated.</summary>
    private static void WriteName(string name, byte* destination)
    {
        for (int i = 0; i < name.Length && i < 15; i++)
        {
            destination[i] = (byte)name[i];
        }
    }
}
