using Balance.ConnectionLog;
namespace Balance.Proxy.Session;

/// <summary>
/// --log-connections: what the attempt notes of its client for the one line
/// told when the connection ends. Without the option nothing is noted, read
/// or allocated; with it the record is a value copied into the log's queue.
/// </summary>
internal sealed partial class ConnectAttempt
{
    private ConnectionRecord _record;
    private long _acceptedAt;
    private bool _logging;

    /// <summary>The client being served (its real address, from a PROXY header when there was one); call after <see cref="Begin"/>.</summary>
    public void NoteClient(ReadOnlySpan<byte> address, int port)
    {
        if (_context.ConnectionLog is null)
        {
            return;
        }

        _logging = true;
        _record = default;
        address.CopyTo(_record.Client);
        _record.ClientLength = address.Length;
        _record.ClientPort = (ushort)port;
        _record.Start = _context.Clock.GetUtcNow();
        _record.Group = _record.Channel = -1;
        _record.ConnectMs = -1;
        _acceptedAt = _context.Clock.GetTimestamp();
    }

    private void NoteConnected()
    {
        if (_logging)
        {
            _record.ConnectMs = (long)_context.Clock.GetElapsedTime(_acceptedAt).TotalMilliseconds;
            _record.Group = _lease.Group;
            _record.Channel = _lease.Index;
            _record.Backend = _lease.Channel.EndPoint;
        }
    }

    /// <summary>
    /// The connection ended for <paramref name="reason"/>: its line goes to the
    /// connection log (never waiting: a full log drops it and counts), and its
    /// channel slot goes back. Idempotent.
    /// </summary>
    public void End(EndReason reason, PairTraffic? traffic)
    {
        if (_logging)
        {
            _logging = false;
            _record.Reason = reason;
            _record.DurationMs = (long)_context.Clock.GetElapsedTime(_acceptedAt).TotalMilliseconds;
            if (traffic is not null && _record.ConnectMs >= 0)
            {
                _record.Sent = traffic.Sent;
                _record.Received = traffic.Received;
            }

            _context.ConnectionLog!.Add(in _record);
        }

        Release();
    }
}
