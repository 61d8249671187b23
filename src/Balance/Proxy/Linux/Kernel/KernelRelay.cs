using System.Runtime.InteropServices;
using Balance.Native;

namespace Balance.Proxy.Linux.Kernel;

/// <summary>
/// The loaded kernel relay: the sockmap with relay.bpf.c's verdict program
/// attached, the map from socket cookie to slot, and the per-slot state
/// array, mapped into this process so that reading the byte counts and
/// arming a slot cost no system call. Shared by every event loop; each loop
/// uses its own range of slots (<see cref="KernelSlots"/>).
/// </summary>
internal sealed unsafe class KernelRelay : IDisposable
{
    /// <summary>
    /// Slots (two per pair): 32,768 pairs in the kernel at once. Pairs past
    /// that stay in user space. The state array is 2 MiB, touched only where used.
    /// </summary>
    public const int SlotCount = 65536;

    /// <summary>The bit of <see cref="SlotState.Control"/> that lets the program redirect (ARMED in relay.bpf.c).</summary>
    private const ulong Armed = 1UL << 63;

    private const string ProgramSection = "sk_skb/stream_verdict";
    private const string ResourceName = "relay.bpf.o";

    private readonly int _sockets;
    private readonly int _slotOfSocket;
    private readonly int _states;
    private readonly int _program;
    private readonly SlotState* _state;

    /// <summary>One slot's state, as struct slot_state of relay.bpf.c.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SlotState
    {
        public ulong Control;
        public ulong Passed;
        public ulong Redirected;
        public ulong Reserved;
    }

    private KernelRelay(int sockets, int slotOfSocket, int states, int program, SlotState* state)
    {
        _sockets = sockets;
        _slotOfSocket = slotOfSocket;
        _states = states;
        _program = program;
        _state = state;
    }

    /// <summary>
    /// Loads the program and its maps; null with the reason when the kernel
    /// or this build cannot (no clang at build time, no CAP_BPF/CAP_NET_ADMIN,
    /// a kernel without sockmap or mmapable arrays, the verifier said no).
    /// </summary>
    public static KernelRelay? TryLoad(out string reason)
    {
        var fds = new List<int>();
        try
        {
            return Load(fds, out reason);
        }
        finally
        {
            foreach (int fd in fds)
            {
                _ = Libc.Close(fd);
            }
        }
    }

    private static KernelRelay? Load(List<int> opened, out string reason)
    {
        if (!OperatingSystem.IsLinux() || Libc.SYS_bpf < 0)
        {
            reason = "needs Linux on x86-64 or arm64";
            return null;
        }

        using Stream? resource = typeof(KernelRelay).Assembly.GetManifestResourceStream(ResourceName);
        if (resource is null)
        {
            reason = "this build has no BPF program (clang was missing when it was built)";
            return null;
        }

        BpfObject code;
        try
        {
            using var buffer = new MemoryStream();
            resource.CopyTo(buffer);
            code = BpfObject.Read(buffer.ToArray(), ProgramSection);
        }
        catch (InvalidDataException e)
        {
            reason = $"the built-in BPF program is unreadable ({e.Message})";
            return null;
        }

        int sockets = Bpf.CreateMap(Bpf.BPF_MAP_TYPE_SOCKMAP, 4, 4, SlotCount, 0, "balance_sockets");
        if (sockets < 0)
        {
            reason = Failure("cannot create a sockmap", Libc.LastError);
            return null;
        }

        opened.Add(sockets);
        int slotOfSocket = Bpf.CreateMap(Bpf.BPF_MAP_TYPE_HASH, 8, 4, SlotCount, Bpf.BPF_F_NO_PREALLOC, "balance_slots");
        if (slotOfSocket < 0)
        {
            reason = Failure("cannot create a hash map", Libc.LastError);
            return null;
        }

        opened.Add(slotOfSocket);
        int states = Bpf.CreateMap(Bpf.BPF_MAP_TYPE_ARRAY, 4, sizeof(SlotState), SlotCount, Bpf.BPF_F_MMAPABLE, "balance_states");
        if (states < 0)
        {
            reason = Failure("cannot create an mmapable array map", Libc.LastError);
            return null;
        }

        opened.Add(states);
        var maps = new Dictionary<string, int> { ["sockets"] = sockets, ["slot_of_socket"] = slotOfSocket, ["slot_states"] = states };
        byte[] instructions = code.Instructions;
        foreach ((int at, string map) in code.MapReferences)
        {
            if (!maps.TryGetValue(map, out int fd))
            {
                reason = $"the BPF program refers to an unknown map {map}";
                return null;
            }

            instructions[(at * 8) + 1] = (byte)((instructions[(at * 8) + 1] & 0x0f) | (1 << 4)); // src_reg = BPF_PSEUDO_MAP_FD
            BitConverter.TryWriteBytes(instructions.AsSpan((at * 8) + 4, 4), fd);
        }

        int program = Bpf.LoadProgram(Bpf.BPF_PROG_TYPE_SK_SKB, instructions, code.License, Span<byte>.Empty, "balance_relay");
        if (program < 0)
        {
            int error = Libc.LastError;
            byte[] log = new byte[64 * 1024];
            _ = Bpf.LoadProgram(Bpf.BPF_PROG_TYPE_SK_SKB, instructions, code.License, log, "balance_relay");
            reason = Failure("the kernel refused the BPF program", error) + VerifierSays(log);
            return null;
        }

        opened.Add(program);
        if (Bpf.Attach(sockets, program, Bpf.BPF_SK_SKB_STREAM_VERDICT) != 0)
        {
            reason = Failure("cannot attach the verdict program to the sockmap", Libc.LastError);
            return null;
        }

        nuint length = (nuint)(SlotCount * sizeof(SlotState));
        nint mapped = Libc.Mmap(0, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, states, 0);
        if (mapped == Libc.MAP_FAILED)
        {
            reason = Failure("cannot map the state array", Libc.LastError);
            return null;
        }

        opened.Clear(); // kept open from here on
        reason = string.Empty;
        return new KernelRelay(sockets, slotOfSocket, states, program, (SlotState*)mapped);
    }

    private static string Failure(string what, int errno) =>
        $"{what} ({Marshal.GetPInvokeErrorMessage(errno)}{(errno is Errno.EPERM or Errno.EACCES ? "; needs CAP_BPF and CAP_NET_ADMIN" : string.Empty)})";

    private static string VerifierSays(byte[] log)
    {
        int end = Array.IndexOf(log, (byte)0);
        string text = System.Text.Encoding.ASCII.GetString(log, 0, end < 0 ? log.Length : end).Trim();
        string[] lines = text.Split('\n');
        return lines.Length == 0 || text.Length == 0 ? string.Empty : $": {lines[^1]}";
    }

    public ref SlotState State(int slot) => ref _state[slot];

    /// <summary>Lets the program redirect this slot's segments once it has passed up exactly <paramref name="consumed"/> bytes.</summary>
    public void Arm(int slot, long consumed) => Volatile.Write(ref _state[slot].Control, Armed | (ulong)consumed);

    /// <summary>Bytes the program handed to user space from this slot's socket.</summary>
    public long Passed(int slot) => (long)Volatile.Read(ref _state[slot].Passed);

    /// <summary>Bytes the program sent on from this slot's socket to its peer.</summary>
    public long Redirected(int slot) => (long)Volatile.Read(ref _state[slot].Redirected);

    public void Reset(int slot) => _state[slot] = default;

    /// <summary>Names the socket's slot for the program. False when the kernel refused (out of memory).</summary>
    public bool MapCookie(ulong cookie, int slot)
    {
        uint value = (uint)slot;
        return Bpf.Update(_slotOfSocket, &cookie, &value) == 0;
    }

    public void ForgetCookie(ulong cookie) => _ = Bpf.Delete(_slotOfSocket, &cookie); // a missing entry is already gone

    /// <summary>Puts a socket into the sockmap at its slot; from then on its segments go through the program.</summary>
    public bool Insert(int slot, int fd)
    {
        uint key = (uint)slot;
        uint value = (uint)fd;
        return Bpf.Update(_sockets, &key, &value) == 0;
    }

    public void Dispose()
    {
        _ = Libc.Munmap((nint)_state, (nuint)(SlotCount * sizeof(SlotState)));
        _ = Libc.Close(_program);
        _ = Libc.Close(_states);
        _ = Libc.Close(_slotOfSocket);
        _ = Libc.Close(_sockets);
    }
}
