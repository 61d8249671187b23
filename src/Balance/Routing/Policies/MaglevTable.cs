namespace Balance.Routing.Policies;

/// <summary>One joined channel of a hash group as the table is built from it.</summary>
internal readonly record struct MaglevMember(int Index, ulong Key, int Weight);

/// <summary>
/// Maglev's lookup table (Eisenbud et al., NSDI 2016): a prime number of
/// slots, each naming a channel. Every channel has its own order of
/// preference over the slots, drawn from its key; in rounds, each channel
/// takes its next free preferred slot, a channel of weight w in w of every
/// max-weight rounds, until all slots are taken. A lookup is one array read.
/// Channels take turns in the order of their keys, not of the command line,
/// so the same set of channels gives the same table everywhere; a channel
/// added or removed changes the slots of the others only where preference
/// orders collide, about 1% of them.
/// </summary>
internal sealed class MaglevTable
{
    /// <summary>
    /// Prime, as the permutation needs; 65537 as Maglev's paper, Envoy and
    /// Katran use: 64 KiB per group (one byte per slot), shares within about
    /// 0.5% of their weight for a few dozen channels, a rebuild in about a millisecond.
    /// </summary>
    public const int DefaultSize = 65537;

    private readonly byte[] _slots;

    private MaglevTable(byte[] slots)
    {
        _slots = slots;
    }

    public int Size => _slots.Length;

    /// <summary>The channel index in slot <paramref name="slot"/>.</summary>
    public int ChannelAt(int slot) => _slots[slot];

    /// <summary>
    /// Builds the table; <paramref name="members"/> must be 1 to 256 channels
    /// with distinct keys and weights of 1 or more, <paramref name="size"/> a prime.
    /// </summary>
    public static MaglevTable Build(ReadOnlySpan<MaglevMember> members, int size = DefaultSize)
    {
        if (members.Length is 0 or > byte.MaxValue + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(members), "a table holds 1 to 256 channels");
        }

        MaglevMember[] order = members.ToArray();
        Array.Sort(order, static (a, b) => a.Key.CompareTo(b.Key));
        int count = order.Length;
        var next = new long[count];
        var skip = new long[count];
        var credit = new long[count];
        int maxWeight = 1;
        for (int i = 0; i < count; i++)
        {
            next[i] = (long)(StableHash.Mix(order[i].Key ^ 0x6F66667365740000) % (ulong)size);
            skip[i] = (long)(StableHash.Mix(order[i].Key ^ 0x736B697000000000) % (ulong)(size - 1)) + 1;
            maxWeight = Math.Max(maxWeight, order[i].Weight);
        }

        var slots = new byte[size];
        var taken = new bool[size];
        int filled = 0;
        while (filled < size)
        {
            for (int i = 0; i < count && filled < size; i++)
            {
                credit[i] += order[i].Weight;
                if (credit[i] < maxWeight)
                {
                    continue;
                }

                credit[i] -= maxWeight;
                long slot = next[i];
                while (taken[slot])
                {
                    slot += skip[i];
                    if (slot >= size)
                    {
                        slot -= size;
                    }
                }

                taken[slot] = true;
                slots[slot] = (byte)order[i].Index;
                filled++;
                next[i] = slot + skip[i] >= size ? slot + skip[i] - size : slot + skip[i];
            }
        }

        return new MaglevTable(slots);
    }
}
