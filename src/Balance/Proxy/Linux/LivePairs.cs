using Balance.Proxy.Session;

namespace Balance.Proxy.Linux;

/// <summary>
/// The pairs in flight on one loop, linked through the pairs themselves (no
/// allocation), for the timeout sweep and for shutdown.
/// </summary>
internal sealed class LivePairs
{
    private RelayPair? _first;

    public int Count { get; private set; }

    public void Add(RelayPair pair)
    {
        pair.NextLive = _first;
        if (_first is not null)
        {
            _first.PreviousLive = pair;
        }

        _first = pair;
        Count++;
    }

    public void Remove(RelayPair pair)
    {
        if (pair.PreviousLive is not null)
        {
            pair.PreviousLive.NextLive = pair.NextLive;
        }
        else
        {
            _first = pair.NextLive;
        }

        if (pair.NextLive is not null)
        {
            pair.NextLive.PreviousLive = pair.PreviousLive;
        }

        pair.NextLive = pair.PreviousLive = null;
        Count--;
    }

    /// <summary>Ends the relaying pairs that have been quiet for longer than <paramref name="timeouts"/> allow.</summary>
    public void CloseExpired(long now, RelayTimeouts timeouts)
    {
        for (RelayPair? pair = _first; pair is not null;)
        {
            RelayPair? next = pair.NextLive;
            if (pair.IsRelaying && pair.Traffic.Expired(now, timeouts))
            {
                pair.Abort(pair.Traffic.TimeoutReason);
            }

            pair = next;
        }
    }

    /// <summary>Counts what the kernel relay moved for each pair into its channel and activity.</summary>
    public void FoldKernelCounts(long now)
    {
        for (RelayPair? pair = _first; pair is not null; pair = pair.NextLive)
        {
            pair.FoldKernelCounts(now);
        }
    }

    public void CloseAll()
    {
        for (RelayPair? pair = _first; pair is not null;)
        {
            RelayPair? next = pair.NextLive;
            pair.Abort(ConnectionLog.EndReason.Shutdown);
            pair = next;
        }
    }
}
