namespace Balance.Proxy.Linux;

/// <summary>
/// Closed pairs of one loop kept for reuse, so a busy proxy allocates nothing
/// per connection and leaves the GC no garbage to pile up. Beyond
/// <see cref="MaxFree"/> they are left to the GC.
/// </summary>
internal sealed class PairPool
{
    private const int MaxFree = 1024;

    private RelayPair? _first;
    private int _count;

    public RelayPair? Take()
    {
        RelayPair? pair = _first;
        if (pair is not null)
        {
            _first = pair.NextFree;
            pair.NextFree = null;
            _count--;
        }

        return pair;
    }

    public void Return(RelayPair pair)
    {
        if (_count < MaxFree)
        {
            pair.NextFree = _first;
            _first = pair;
            _count++;
        }
    }
}
