namespace Balance.Health;

/// <summary>
/// Looks for --check-expect in a reply that arrives in pieces: keeps the last
/// bytes of what came so far (one less than the expected string), so a match
/// split over two reads is found. Allocates once, when made.
/// </summary>
internal sealed class ExpectMatcher
{
    private readonly byte[] _expect;
    private readonly byte[] _carry;
    private readonly byte[] _join;
    private int _carryLength;

    public ExpectMatcher(byte[] expect)
    {
        _expect = expect;
        _carry = new byte[expect.Length - 1];
        _join = new byte[2 * (expect.Length - 1)];
    }

    /// <summary>Starts a new reply.</summary>
    public void Reset() => _carryLength = 0;

    /// <summary>The next piece of the reply; true once the expected bytes have come.</summary>
    public bool Feed(ReadOnlySpan<byte> chunk)
    {
        int keep = _carry.Length;
        if (_carryLength > 0)
        {
            // A match that starts in what came before and ends in this piece.
            int head = Math.Min(keep, chunk.Length);
            _carry.AsSpan(0, _carryLength).CopyTo(_join);
            chunk[..head].CopyTo(_join.AsSpan(_carryLength));
            if (_join.AsSpan(0, _carryLength + head).IndexOf(_expect) >= 0)
            {
                return true;
            }
        }

        if (chunk.IndexOf(_expect) >= 0)
        {
            return true;
        }

        if (chunk.Length >= keep)
        {
            chunk[^keep..].CopyTo(_carry);
            _carryLength = keep;
        }
        else
        {
            int total = _carryLength + chunk.Length;
            _carry.AsSpan(0, _carryLength).CopyTo(_join);
            chunk.CopyTo(_join.AsSpan(_carryLength));
            int from = Math.Max(0, total - keep);
            _join.AsSpan(from, total - from).CopyTo(_carry);
            _carryLength = total - from;
        }

        return false;
    }
}
