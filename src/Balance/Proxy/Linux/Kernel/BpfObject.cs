using System.Buffers.Binary;
using System.Text;

namespace Balance.Proxy.Linux.Kernel;

/// <summary>
/// What the loader needs of the compiled program (a little-endian ELF64
/// relocatable object from clang -target bpf): one program section's
/// instructions, the map each of its 64-bit loads refers to (from the
/// section's REL entries and the symbol table), and the license string.
/// Anything else in the object is ignored; anything malformed is an
/// <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class BpfObject
{
    private const int SectionHeaderSize = 64;
    private const int SymbolSize = 24;
    private const int RelSize = 16;
    private const uint ShtSymtab = 2;
    private const uint ShtRel = 9;

    private BpfObject(byte[] instructions, IReadOnlyList<(int Instruction, string Map)> mapReferences, string license)
    {
        Instructions = instructions;
        MapReferences = mapReferences;
        License = license;
    }

    /// <summary>The program's instructions, 8 bytes each, as compiled (map loads not yet filled in).</summary>
    public byte[] Instructions { get; }

    /// <summary>Index of each instruction that loads a map address, and the map's name.</summary>
    public IReadOnlyList<(int Instruction, string Map)> MapReferences { get; }

    public string License { get; }

    public static BpfObject Read(ReadOnlySpan<byte> elf, string programSection)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian ELF64 object");
        }

        int sectionTable = Checked(BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]), elf.Length);
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3c..]);
        int namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3e..]);
        var sections = new Section[sectionCount];
        for (int i = 0; i < sectionCount; i++)
        {
            ReadOnlySpan<byte> header = Slice(elf, sectionTable + (i * SectionHeaderSize), SectionHeaderSize);
            sections[i] = new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(header),
                BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
                Checked(BinaryPrimitives.ReadUInt64LittleEndian(header[24..]), elf.Length),
                Checked(BinaryPrimitives.ReadUInt64LittleEndian(header[32..]), elf.Length),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(header[40..]),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(header[44..]));
        }

        if (namesIndex >= sectionCount)
        {
            throw new InvalidDataException("no section names");
        }

        ReadOnlySpan<byte> names = Slice(elf, sections[namesIndex].Offset, sections[namesIndex].Size);
        int program = -1;
        int licenseIndex = -1;
        for (int i = 0; i < sectionCount; i++)
        {
            string name = ReadString(names, (int)sections[i].Name);
            program = name == programSection ? i : program;
            licenseIndex = name == "license" ? i : licenseIndex;
        }

        if (program < 0 || licenseIndex < 0)
        {
            throw new InvalidDataException($"no section {(program < 0 ? programSection : "license")}");
        }

        byte[] instructions = Slice(elf, sections[program].Offset, sections[program].Size).ToArray();
        var references = new List<(int, string)>();
        foreach (Section rel in sections)
        {
            if (rel.Type != ShtRel || rel.Info != program)
            {
                continue;
            }

            Section symbols = sections[CheckedIndex(rel.Link, sectionCount)];
            if (symbols.Type != ShtSymtab)
            {
                throw new InvalidDataException("relocations without a symbol table");
            }

            ReadOnlySpan<byte> strings = Slice(elf, sections[CheckedIndex(symbols.Link, sectionCount)].Offset, sections[symbols.Link].Size);
            for (int at = 0; at + RelSize <= rel.Size; at += RelSize)
            {
                ReadOnlySpan<byte> entry = Slice(elf, rel.Offset + at, RelSize);
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entry);
                int symbol = (int)(BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]) >> 32);
                ReadOnlySpan<byte> symbolEntry = Slice(elf, symbols.Offset + (symbol * SymbolSize), SymbolSize);
                string name = ReadString(strings, (int)BinaryPrimitives.ReadUInt32LittleEndian(symbolEntry));
                if (offset % 8 != 0 || offset + 16 > (ulong)instructions.Length)
                {
                    throw new InvalidDataException($"relocation of {name} outside the program");
                }

                references.Add(((int)(offset / 8), name));
            }
        }

        string license = ReadString(Slice(elf, sections[licenseIndex].Offset, sections[licenseIndex].Size), 0);
        return new BpfObject(instructions, references, license);
    }

    private readonly record struct Section(uint Name, uint Type, int Offset, int Size, int Link, int Info);

    private static int Checked(ulong value, int limit) =>
        value <= (ulong)limit ? (int)value : throw new InvalidDataException("offset outside the object");

    private static int CheckedIndex(int index, int count) =>
        index >= 0 && index < count ? index : throw new InvalidDataException("section index outside the object");

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> data, int offset, int length) =>
        offset >= 0 && length >= 0 && offset <= data.Length - length
            ? data.Slice(offset, length)
            : throw new InvalidDataException("section outside the object");

    private static string ReadString(ReadOnlySpan<byte> table, int offset)
    {
        if (offset < 0 || offset >= table.Length)
        {
            throw new InvalidDataException("name outside its string table");
        }

        ReadOnlySpan<byte> rest = table[offset..];
        int end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
