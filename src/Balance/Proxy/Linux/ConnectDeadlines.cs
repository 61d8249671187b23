namespace Balance.Proxy.Linux;

/// <summary>
/// The pairs of one loop whose backend connect is in progress, oldest first.
/// Every connect gets the same -t timeout, so appending keeps the list in
/// deadline order. It is intrusive (the links live in the pair) and a pair
/// leaves it the moment its connect ends, so a connected pair is not kept
/// alive until its deadline, and nothing is allocated per connect.
/// </summary>
internal sealed class ConnectDeadlines
{
    private RelayPair? _first;
    private RelayPair? _last;

    /// <summary>The earliest deadline, or <see cref="long.MaxValue"/> when no connect is pending.</summary>
    public long Next => _first?.ConnectDeadline ?? long.MaxValue;

    public void Add(RelayPair pair, long deadline)
    {
        Remove(pair);
        pair.ConnectDeadline = deadline;
        pair.PendingConnect = true;
        pair.PreviousConnecting = _last;
        if (_last is null)
        {
            _first = pair;
        }
        else
        {
            _last.NextConnecting = pair;
        }

        _last = pair;
    }

    public void Remove(RelayPair pair)
    {
        if (!pair.PendingConnect)
        {
            return;
        }

        if (pair.PreviousConnecting is null)
        {
            _first = pair.NextConnecting;
        }
        else
        {
            pair.PreviousConnecting.NextConnecting = pair.NextConnecting;
        }

        if (pair.NextConnecting is null)
        {
            _last = pair.PreviousConnecting;
        }
        else
        {
            pair.NextConnecting.PreviousConnecting = pair.PreviousConnecting;
        }

        pair.NextConnecting = pair.PreviousConnecting = null;
        pair.PendingConnect = false;
    }

    /// <summary>Takes out the oldest pair whose deadline has passed, if any.</summary>
    public RelayPair? TakeExpired(long now)
    {
        RelayPair? first = _first;
        if (first is null || first.ConnectDeadline > now)
        {
            return null;
        }

        Remove(first);
        return first;
    }
}
