using Balance.Native;
using Balance.Proxy.ProxyProtocol;
using Balance.Proxy.Session;
using Balance.Routing;
using static Balance.Native.Libc;

namespace Balance.Proxy.Linux;

/// <summary>
/// The PROXY protocol parts of a pair. With --accept-proxy a client first
/// sends a header: the pair reads it before the connect walk, in pieces,
/// peeking and then taking exactly the header's bytes (what follows is the
/// client's data and stays in the socket for the relay), within the header
/// deadline. With --send-proxy the header for the client is the first thing
/// owed to the backend. Buffers belong to the pooled pair: nothing is
/// allocated per connection.
/// </summary>
internal sealed unsafe partial class RelayPair
{
    private ProxyHeaderReader? _headerReader;
    private bool _readingHeader;

    /// <summary>The client and the address it connected to, as the header sent to backends names them.</summary>
    private ProxyAddresses _addresses;

    /// <summary>The connection's own client address (4 or 16 bytes), for a rejection's log line.</summary>
    private AddressBytes _peer;
    private int _peerLength;
    private int _peerPort;

    /// <summary>Notes the connection's addresses when a PROXY header will need them (no system call otherwise).</summary>
    private void NoteAddresses(ReadOnlySpan<byte> clientSockaddr)
    {
        ReadOnlySpan<byte> peer = SocketAddressCodec.AddressBytes(clientSockaddr);
        peer.CopyTo(_peer);
        _peerLength = peer.Length;
        _peerPort = SocketAddressCodec.Port(clientSockaddr);
        if (_context.Session.Settings.SendProxy == 0)
        {
            return;
        }

        byte* local = stackalloc byte[SocketAddressCodec.MaxLength];
        int length = SocketAddressCodec.MaxLength;
        _addresses = GetSockName(_client.Fd, local, &length) == 0
            ? ProxyAddresses.FromSockaddrs(clientSockaddr, new ReadOnlySpan<byte>(local, length))
            : default; // the header then says UNKNOWN / LOCAL: the backend uses the connection's own addresses
    }

    /// <summary>--accept-proxy: wait for the client's header, at most the header timeout.</summary>
    private void BeginHeader()
    {
        _headerReader ??= new ProxyHeaderReader();
        _headerReader.Reset();
        _readingHeader = true;
        if (!_client.Want(_up.ReadInterest))
        {
            Close(reset: true);
            return;
        }

        _loop.Deadlines.Add(this, _loop.Now + _context.ProxyHeaderTimeoutMs);
    }

    /// <summary>The client has bytes (or news): take what belongs to the header.</summary>
    private void ReadHeader(uint events)
    {
        if ((events & EPOLLERR) != 0)
        {
            RejectHeader(ProxyRejection.NoHeader);
            return;
        }

        ProxyHeaderReader reader = _headerReader!;
        Span<byte> free = reader.Free;
        nint peeked;
        fixed (byte* target = free)
        {
            peeked = Receive(_client.Fd, target, free.Length, MSG_PEEK);
        }

        if (peeked <= 0)
        {
            if (peeked < 0 && Errno.IsTransient(LastError))
            {
                return;
            }

            RejectHeader(ProxyRejection.NoHeader); // closed or failed before the whole header came
            return;
        }

        ProxyParseStatus status = reader.Offer((int)peeked, out int take);
        if (status is not (ProxyParseStatus.Incomplete or ProxyParseStatus.Complete))
        {
            RejectHeader(ProxyHeaderRejections.From(status));
            return;
        }

        nint taken;
        fixed (byte* target = free)
        {
            taken = Receive(_client.Fd, target, take, 0); // the bytes just peeked: all there
        }

        if (taken != take)
        {
            RejectHeader(ProxyRejection.Malformed);
        }
        else if (status == ProxyParseStatus.Complete)
        {
            HeaderRead(reader.Header);
        }
    }

    /// <summary>The header is in: the client is who it names, and the connect walk starts.</summary>
    private void HeaderRead(in ProxyHeader header)
    {
        _readingHeader = false;
        _loop.Deadlines.Remove(this);

        // The client is not read again before the pair relays (its data waits in the socket).
        if (!_client.Want(0))
        {
            Close(reset: true);
            return;
        }

        _client.ParkIfIdle();
        if (header.UsesConnectionAddresses)
        {
            ReadOnlySpan<byte> peer = ((ReadOnlySpan<byte>)_peer)[.._peerLength];
            _attempt.Begin(ClientHash.Of(peer));
            _attempt.NoteClient(peer, _peerPort);
        }
        else
        {
            _addresses = header.Addresses;
            _attempt.Begin(ClientHash.Of(header.Addresses.ClientHashBytes));
            _attempt.NoteClient(header.Addresses.ClientHashBytes, header.Addresses.SourcePort);
        }

        TryNextChannel();
    }

    private void RejectHeader(ProxyRejection reason)
    {
        _context.Session.ProxyRejections.Report(reason, ((ReadOnlySpan<byte>)_peer)[.._peerLength]);
        Close(reset: true);
    }

    /// <summary>The header deadline passed with no whole header.</summary>
    private bool HeaderTimedOut()
    {
        if (!_readingHeader)
        {
            return false;
        }

        RejectHeader(ProxyRejection.NoHeader);
        return true;
    }

    /// <summary>--send-proxy: the header for this client is the first thing owed to the backend, and sent at once.</summary>
    private bool SendProxyHeader()
    {
        int version = _context.Session.Settings.SendProxy;
        return version == 0 || (_up.OweHeader(_addresses, version) && _up.Flush());
    }
}
