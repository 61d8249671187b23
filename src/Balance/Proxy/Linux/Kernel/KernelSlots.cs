namespace Balance.Proxy.Linux.Kernel;

/// <summary>
/// One event loop's share of the kernel relay's slots, handed out two at a
/// time (a pair's client and backend socket). Used by its loop's thread
/// only, so no lock; the stack is allocated once.
/// </summary>
internal sealed class KernelSlots
{
    private readonly int[] _free;
    private int _count;

    /// <param name="first">The first slot of this loop's range (even).</param>
    /// <param name="pairs">How many pairs the range holds.</param>
    public KernelSlots(KernelRelay relay, int first, int pairs)
    {
        Relay = relay;
        _free = new int[pairs];
        for (int i = 0; i < pairs; i++)
        {
            _free[i] = first + (2 * (pairs - 1 - i)); // lowest slots handed out first
        }

        _count = pairs;
    }

    public KernelRelay Relay { get; }

    /// <summary>Pairs of this loop in the kernel relay now.</summary>
    public int InUse { get; set; }

    /// <summary>The even slot of a free pair of slots, or -1 when all are taken.</summary>
    public int Take() => _count == 0 ? -1 : _free[--_count];

    public void Return(int slot) => _free[_count++] = slot;
}
