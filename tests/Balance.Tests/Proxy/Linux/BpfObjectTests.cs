using Balance.Proxy.Linux.Kernel;

namespace Balance.Tests.Proxy.Linux;

/// <summary>The ELF reader of the kernel relay's loader: the built program, and objects it must refuse.</summary>
public sealed class BpfObjectTests
{
    private const string Section = "sk_skb/stream_verdict";

    private static byte[]? BuiltProgram()
    {
        using Stream? resource = typeof(KernelRelay).Assembly.GetManifestResourceStream("relay.bpf.o");
        if (resource is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        resource.CopyTo(copy);
        return copy.ToArray();
    }

    [BuiltProgramFact]
    public void TheBuiltProgramNamesItsThreeMapsAndALicense()
    {
        BpfObject program = BpfObject.Read(BuiltProgram(), Section);

        Assert.Equal(0, program.Instructions.Length % 8);
        Assert.Equal(["slot_of_socket", "slot_states", "sockets"], program.MapReferences.Select(r => r.Map).Distinct().Order());
        Assert.All(program.MapReferences, r => Assert.Equal(0x18, program.Instructions[r.Instruction * 8])); // BPF_LD | BPF_IMM | BPF_DW
        Assert.Equal("Dual MIT/GPL", program.License);
    }

    [BuiltProgramFact]
    public void AMissingSectionIsRefused()
    {
        Assert.Throws<InvalidDataException>(() => BpfObject.Read(BuiltProgram(), "xdp"));
    }

    [BuiltProgramFact]
    public void EveryTruncationIsRefusedNeverAnIndexError()
    {
        byte[] whole = BuiltProgram()!;
        for (int length = 0; length < whole.Length; length += 7)
        {
            byte[] part = whole[..length];
            Exception? thrown = Record.Exception(() => BpfObject.Read(part, Section));
            Assert.True(thrown is null or InvalidDataException, $"a cut at {length} threw {thrown?.GetType().Name}");
        }
    }

    [Fact]
    public void SomethingThatIsNotElfIsRefused()
    {
        Assert.Throws<InvalidDataException>(() => BpfObject.Read(new byte[128], Section));
        Assert.Throws<InvalidDataException>(() => BpfObject.Read("\u007fELF"u8.ToArray(), Section));
    }

    /// <summary>Runs where the build embedded the program (clang was there); skipped elsewhere.</summary>
    private sealed class BuiltProgramFactAttribute : FactAttribute
    {
        public BuiltProgramFactAttribute()
        {
            if (BuiltProgram() is null)
            {
                Skip = "this build has no BPF program: clang was missing when it was built";
            }
        }
    }
}
