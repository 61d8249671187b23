namespace Balance.Proxy.Linux.Kernel;

/// <summary>
/// One loop's pairs in the kernel relay whose FIN waits until the kernel has
/// written out what it holds for the destination. Nothing tells when it has,
/// so each is asked again after 1 ms, then twice as late each time up to
/// 64 ms (a slow receiver can keep the kernel's queue full for long).
/// </summary>
internal sealed class KernelFinChecks
{
    private const int MaxDelayMs = 64;
    private readonly List<RelayPair> _pairs = new();
    private int _delay;

    /// <summary>When to look next; long.MaxValue while no pair waits.</summary>
    public long Next { get; private set; } = long.MaxValue;

    public void Add(RelayPair pair, long now)
    {
        _pairs.Add(pair);
        _delay = 1;
        Next = Math.Min(Next, now + 1);
    }

    /// <summary>Asks the waiting pairs again when it is time; a pair that no longer waits leaves the list.</summary>
    public void Run(long now)
    {
        if (now < Next)
        {
            return;
        }

        for (int i = _pairs.Count - 1; i >= 0; i--)
        {
            if (_pairs[i].CheckKernel())
            {
                _pairs.RemoveAt(i);
            }
        }

        if (_pairs.Count == 0)
        {
            Next = long.MaxValue;
            return;
        }

        _delay = Math.Min(_delay * 2, MaxDelayMs);
        Next = now + _delay;
    }
}
