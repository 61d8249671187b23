namespace Balance.Proxy.Linux;

/// <summary>A pair's place in one of its loop's <see cref="DeadlineList{TLink}"/>s.</summary>
internal struct DeadlineLink
{
    public RelayPair? Next;
    public RelayPair? Previous;
    public long Deadline;
    public bool Linked;
}

/// <summary>Which of a pair's links a <see cref="DeadlineList{TLink}"/> uses (resolved at compile time, no delegate).</summary>
internal interface IDeadlineLinkOf
{
    static abstract ref DeadlineLink Of(RelayPair pair);
}

/// <summary>A pair's connect deadline link (-t).</summary>
internal readonly struct ConnectLinkOf : IDeadlineLinkOf
{
    public static ref DeadlineLink Of(RelayPair pair) => ref pair.ConnectLink;
}

/// <summary>A pair's queue deadline link (--queue-timeout).</summary>
internal readonly struct QueueLinkOf : IDeadlineLinkOf
{
    public static ref DeadlineLink Of(RelayPair pair) => ref pair.QueueLink;
}

/// <summary>
/// Pairs of one loop waiting for something with a deadline, earliest first:
/// a backend connect (-t) or a slot in the queue at maxc (--queue-timeout).
/// It is intrusive (the links live in the pair, one set per list) and a pair
/// leaves it the moment its wait ends, so nothing is allocated per wait and
/// a pair is not kept until its deadline. Deadlines of one list mostly come
/// in order, so an insertion looks from the end and usually stops at once.
/// </summary>
internal sealed class DeadlineList<TLink>
    where TLink : IDeadlineLinkOf
{
    private RelayPair? _first;
    private RelayPair? _last;

    /// <summary>The earliest deadline, or <see cref="long.MaxValue"/> when no pair waits.</summary>
    public long Next => _first is null ? long.MaxValue : TLink.Of(_first).Deadline;

    public void Add(RelayPair pair, long deadline)
    {
        Remove(pair);
        ref DeadlineLink link = ref TLink.Of(pair);
        link.Deadline = deadline;
        link.Linked = true;
        RelayPair? before = _last;
        while (before is not null && TLink.Of(before).Deadline > deadline)
        {
            before = TLink.Of(before).Previous;
        }

        RelayPair? after = before is null ? _first : TLink.Of(before).Next;
        link.Previous = before;
        link.Next = after;
        if (before is null)
        {
            _first = pair;
        }
        else
        {
            TLink.Of(before).Next = pair;
        }

        if (after is null)
        {
            _last = pair;
        }
        else
        {
            TLink.Of(after).Previous = pair;
        }
    }

    public void Remove(RelayPair pair)
    {
        ref DeadlineLink link = ref TLink.Of(pair);
        if (!link.Linked)
        {
            return;
        }

        if (link.Previous is null)
        {
            _first = link.Next;
        }
        else
        {
            TLink.Of(link.Previous).Next = link.Next;
        }

        if (link.Next is null)
        {
            _last = link.Previous;
        }
        else
        {
            TLink.Of(link.Next).Previous = link.Previous;
        }

        link.Next = link.Previous = null;
        link.Linked = false;
    }

    /// <summary>Takes out the earliest pair whose deadline has passed, if any.</summary>
    public RelayPair? TakeExpired(long now)
    {
        RelayPair? first = _first;
        if (first is null || TLink.Of(first).Deadline > now)
        {
            return null;
        }

        Remove(first);
        return first;
    }
}
