namespace Balance.Proxy.ProxyProtocol;

/// <summary>
/// Takes a PROXY header off a connection in pieces without ever taking a
/// byte past it. The engine peeks at what arrived into <see cref="Free"/>,
/// calls <see cref="Offer"/>, and then really reads exactly the bytes it was
/// told to take: all of a piece that is still inside the header (so a
/// level-triggered wait does not wake again for it), or just the header's
/// end when the piece holds it. Reused: one per pair, <see cref="Reset"/>
/// between connections.
/// </summary>
internal sealed class ProxyHeaderReader
{
    private readonly byte[] _buffer = new byte[ProxyHeaderParser.MaxLength];
    private int _taken;
    private ProxyHeader _header;

    /// <summary>Where the next peek goes: right after the bytes already taken; never past the longest header.</summary>
    public Span<byte> Free => _buffer.AsSpan(_taken);

    /// <summary><see cref="Free"/> for asynchronous reads.</summary>
    public Memory<byte> FreeMemory => _buffer.AsMemory(_taken);

    /// <summary>The header, once <see cref="Offer"/> said <see cref="ProxyParseStatus.Complete"/>.</summary>
    public ref readonly ProxyHeader Header => ref _header;

    public void Reset()
    {
        _taken = 0;
        _header = default;
    }

    /// <summary>
    /// <paramref name="peeked"/> bytes were peeked into <see cref="Free"/>.
    /// <paramref name="take"/> is how many of them to read off the socket now
    /// (into <see cref="Free"/> again, the same bytes), on Incomplete and Complete.
    /// </summary>
    public ProxyParseStatus Offer(int peeked, out int take)
    {
        take = 0;
        ProxyParseStatus status = ProxyHeaderParser.Parse(_buffer.AsSpan(0, _taken + peeked), out _header);
        if (status == ProxyParseStatus.Complete)
        {
            take = _header.Length - _taken;
            _taken = _header.Length;
        }
        else if (status == ProxyParseStatus.Incomplete)
        {
            take = peeked;
            _taken += peeked;
            if (_taken == _buffer.Length)
            {
                return ProxyParseStatus.TooLong; // the parser already says so; this keeps the loop bounded regardless
            }
        }

        return status;
    }
}
