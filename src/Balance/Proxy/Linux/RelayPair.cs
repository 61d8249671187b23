using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Balance.Routing;
using static Balance.Proxy.Linux.LinuxNative;

namespace Balance.Proxy.Linux;

/// <summary>
/// One client connection on an event loop: connect with failover through the
/// groups (non-blocking, with the -t deadline), then relay both ways with
/// read/write through the loop's shared buffer, or splice(2) once a direction
/// carries bulk data. A half-close is passed on; a reset or error ends both.
/// Both sockets stay in epoll while the pair relays, also when it waits for
/// nothing on one of them (its data is stuck behind a slow peer), so a reset
/// there still ends the pair instead of leaving it open for good.
/// </summary>
internal sealed unsafe class RelayPair : IEpollHandler
{
    /// <summary>
    /// Bytes moved per splice call, and the pipe's size. A read that fills the
    /// whole copy buffer marks bulk traffic, worth a pipe; 256 KiB measured
    /// best on loopback (64 KiB and 1 MiB were slower or no better).
    /// </summary>
    private const int SpliceChunk = 256 * 1024;

    /// <summary>Interest state of a descriptor not in epoll yet: the next <see cref="SetMask"/> adds it.</summary>
    private const uint Unwatched = 0x8000_0000;

    /// <summary>
    /// Interest state of a descriptor taken out of epoll after a hang-up with
    /// nothing to wait for (it would report EPOLLHUP for ever); added back only
    /// once the pair waits for something on it again.
    /// </summary>
    private const uint HungUp = 0x4000_0000;

    /// <summary>
    /// What a pair waits for when it wants to read: data, and the peer's FIN
    /// (EPOLLRDHUP), which lets a short read that drained the socket end the
    /// direction at once instead of with one more read returning 0.
    /// </summary>
    private const uint ReadInterest = EPOLLIN | EPOLLRDHUP;

    private readonly EventLoop _loop;
    private readonly RelayContext _context;
    private readonly RouteCursor _cursor = new(0);
    private readonly RelayDirection _up = new(clientToChannel: true);
    private readonly RelayDirection _down = new(clientToChannel: false);
    private int _client;
    private int _backend = -1;
    private uint _clientMask = Unwatched;
    private uint _backendMask = Unwatched;
    private ChannelLease _lease;
    private bool _leased;
    private bool _connecting;
    private bool _closed;

    private RelayPair(EventLoop loop, RelayContext context)
    {
        _loop = loop;
        _context = context;
    }

    /// <summary>
    /// Relays a newly accepted client. Pairs are reused from the loop's free
    /// list, so a busy proxy allocates nothing per connection and the GC has
    /// no garbage to let pile up.
    /// </summary>
    public static void Serve(EventLoop loop, RelayContext context, int client, uint clientHash)
    {
        RelayPair pair = loop.TakeFreePair() ?? new RelayPair(loop, context);
        pair._client = client;
        pair._cursor.Reset(clientHash);
        pair.Start();
    }

    /// <summary>Link in the loop's list of pairs ready for reuse.</summary>
    internal RelayPair? NextFree { get; set; }

    public RelayPair? NextPair { get; private set; }

    /// <summary>Links and deadline of this pair's place in the loop's <see cref="ConnectDeadlines"/>.</summary>
    internal RelayPair? NextConnecting { get; set; }

    internal RelayPair? PreviousConnecting { get; set; }

    internal long ConnectDeadline { get; set; }

    internal bool PendingConnect { get; set; }

    private RelayPair? _previousPair;

    public long LastActivity { get; private set; }

    public bool IsRelaying { get; private set; }

    /// <summary>One side has sent its FIN (--fin-timeout applies).</summary>
    public bool HalfClosed => _up.SourceEnded || _down.SourceEnded;

    private void Start()
    {
        NextPair = _loop.FirstPair;
        if (NextPair is not null)
        {
            NextPair._previousPair = this;
        }

        _loop.FirstPair = this;
        _loop.PairCount++;
        TryNextChannel();
    }

    private void TryNextChannel()
    {
        while (!_closed)
        {
            if (_loop.Stopping || _context.Table.Next(_cursor) is not ChannelLease lease)
            {
                Close(reset: false); // no channel left: accept-and-close, as the original
                return;
            }

            _lease = lease;
            _leased = true;
            int result = OpenAndConnect(lease.Channel.EndPoint);
            if (_backend < 0)
            {
                // No socket to be had (out of descriptors): the channel is not at
                // fault, so no failover and no autodisable; this client is dropped.
                _context.ResourceShortage(result);
                Close(reset: true);
                return;
            }

            if (result == 0)
            {
                OnConnected();
                return;
            }

            if (result == EINPROGRESS)
            {
                _connecting = true;
                SetMask(_backend, ref _backendMask, EPOLLOUT);
                _loop.AddConnectDeadline(this, Environment.TickCount64 + _context.ConnectTimeoutMs);
                return;
            }

            ConnectFailed(ConnectOutcome.Refused);
        }
    }

    /// <summary>Starts a non-blocking connect; returns 0, EINPROGRESS or the error.</summary>
    private int OpenAndConnect(IPEndPoint target)
    {
        bool v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        _backend = Socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (_backend < 0)
        {
            return Errno;
        }

        byte* address = stackalloc byte[SocketAddressCodec.MaxLength];
        var span = new Span<byte>(address, SocketAddressCodec.MaxLength);
        if (_context.OutgoingSource.For(target.Address) is IPAddress bind
            && Bind(_backend, address, SocketAddressCodec.Write(new IPEndPoint(bind, 0), span)) != 0)
        {
            _context.OutgoingSource.BindFailed(new System.ComponentModel.Win32Exception(Errno).Message);
        }

        int length = SocketAddressCodec.Write(target, span);
        return Connect(_backend, address, length) == 0 ? 0 : Errno;
    }

    private void OnConnected()
    {
        EndConnect();
        SetIntOption(_backend, IPPROTO_TCP, TCP_NODELAY, 1);
        SetIntOption(_backend, SOL_SOCKET, SO_KEEPALIVE, 1);
        ConnectTrace.Attempt(_context.Log, _lease, ConnectOutcome.Connected);
        _up.Source = _client;
        _up.Destination = _backend;
        _down.Source = _backend;
        _down.Destination = _client;
        IsRelaying = true;
        LastActivity = Environment.TickCount64;
        UpdateInterest();
    }

    private void ConnectFailed(ConnectOutcome outcome)
    {
        ConnectTrace.Attempt(_context.Log, _lease, outcome);
        EndConnect();
        CloseBackendSocket();
        _leased = false;
        if (_context.Table.Failed(_cursor, _lease))
        {
            ConnectTrace.AutoDisabled(_context.Log, _lease);
        }
    }

    private void EndConnect()
    {
        _connecting = false;
        _loop.RemoveConnectDeadline(this);
    }

    public void OnConnectTimeout()
    {
        if (_closed || !_connecting)
        {
            return;
        }

        ConnectFailed(ConnectOutcome.TimedOut);
        TryNextChannel();
    }

    public void OnEvents(int fd, uint events)
    {
        if (_closed)
        {
            return;
        }

        if (_connecting)
        {
            if (fd == _backend)
            {
                // EPOLLOUT alone means connected; only a failure needs SO_ERROR read.
                int error = (events & (EPOLLERR | EPOLLHUP)) == 0 ? 0 : PendingError(fd);
                if (error == 0)
                {
                    OnConnected();
                }
                else
                {
                    ConnectFailed(error == 110 ? ConnectOutcome.TimedOut : ConnectOutcome.Refused);
                    TryNextChannel();
                }
            }

            return;
        }

        // A pending error (the peer reset, keepalive gave up) ends the pair at
        // once, before anything is read: the socket may still hold bytes that
        // came before the reset, and relaying them could stall on the other
        // side and park this socket (it also reports EPOLLHUP) with its error
        // never seen, leaving the pair open for good.
        if ((events & EPOLLERR) != 0)
        {
            Close(reset: true);
            return;
        }

        bool ok = fd == _client
            ? Serve(events, readFrom: _up, writeTo: _down)
            : Serve(events, readFrom: _down, writeTo: _up);
        if (!ok)
        {
            Close(reset: true);
        }
        else if (_up.Finished && _down.Finished)
        {
            Close(reset: false);
        }
        else
        {
            UpdateInterest();
            if ((events & EPOLLHUP) != 0)
            {
                ParkAfterHangUp(fd);
            }
        }
    }

    /// <summary>
    /// Both ways of this socket are shut (its peer's FIN is in, ours is out) and
    /// the pair waits for nothing on it: leave epoll until it does again.
    /// </summary>
    private void ParkAfterHangUp(int fd)
    {
        if (fd == _client && _clientMask == 0)
        {
            Leave(_client, ref _clientMask);
            _clientMask = HungUp;
        }
        else if (fd == _backend && _backendMask == 0)
        {
            Leave(_backend, ref _backendMask);
            _backendMask = HungUp;
        }
    }

    /// <summary>Handles one descriptor's events: it may take the backlog owed to it and have data to read.</summary>
    private bool Serve(uint events, RelayDirection readFrom, RelayDirection writeTo)
    {
        if ((events & (EPOLLOUT | EPOLLHUP)) != 0 && writeTo.HasBacklog && !Flush(writeTo))
        {
            return false;
        }

        if ((events & (EPOLLIN | EPOLLHUP)) != 0 && readFrom.WantsRead)
        {
            return readFrom.Splicing ? PumpSplice(readFrom) : Pump(readFrom, peerClosed: (events & EPOLLRDHUP) != 0);
        }

        return true;
    }

    private bool Pump(RelayDirection direction, bool peerClosed)
    {
        byte* buffer = _loop.Buffer;
        nint read = Receive(direction.Source, buffer, EventLoop.BufferSize, 0);
        if (read > 0)
        {
            if (_context.Settings.PacketDump)
            {
                PacketDump.Write(direction.ClientToChannel, new ReadOnlySpan<byte>(buffer, (int)read));
            }

            if (!WriteOut(direction, buffer, (int)read))
            {
                return false;
            }

            if (read == EventLoop.BufferSize)
            {
                if (!direction.HasBacklog)
                {
                    TryStartSplice(direction);
                }
            }
            else if (peerClosed)
            {
                // The FIN was in before this read, and a short read took all
                // that came before it: the source has ended.
                return SourceEnded(direction);
            }

            return true;
        }

        return read == 0 ? SourceEnded(direction) : IsTransient(Errno);
    }

    private bool WriteOut(RelayDirection direction, byte* data, int count)
    {
        nint written = Send(direction.Destination, data, count, MSG_NOSIGNAL);
        if (written < 0)
        {
            if (!IsTransient(Errno))
            {
                return false;
            }

            written = 0;
        }

        Count(direction, (int)written);
        int rest = count - (int)written;
        if (rest > 0)
        {
            byte[] pending = ArrayPool<byte>.Shared.Rent(rest);
            new ReadOnlySpan<byte>(data + written, rest).CopyTo(pending);
            direction.Pending = pending;
            direction.PendingOffset = 0;
            direction.PendingCount = rest;
        }

        return true;
    }

    /// <summary>The destination can take more: send what is owed to it.</summary>
    private bool Flush(RelayDirection direction)
    {
        if (direction.PendingCount > 0)
        {
            nint written;
            fixed (byte* pending = direction.Pending)
            {
                written = Send(direction.Destination, pending + direction.PendingOffset, direction.PendingCount, MSG_NOSIGNAL);
            }

            if (written < 0)
            {
                return IsTransient(Errno);
            }

            Count(direction, (int)written);
            direction.PendingOffset += (int)written;
            direction.PendingCount -= (int)written;
            if (direction.PendingCount == 0)
            {
                ArrayPool<byte>.Shared.Return(direction.Pending!);
                direction.Pending = null;
            }
        }
        else if (direction.PipeBytes > 0)
        {
            nint moved = Splice(direction.PipeRead, null, direction.Destination, null, direction.PipeBytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (moved < 0)
            {
                return IsTransient(Errno);
            }

            Count(direction, (int)moved);
            direction.PipeBytes -= (int)moved;
        }

        return direction.HasBacklog || !direction.SourceEnded || SourceEnded(direction);
    }

    private bool PumpSplice(RelayDirection direction)
    {
        nint moved = Splice(direction.Source, null, direction.PipeWrite, null, SpliceChunk, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (moved > 0)
        {
            direction.PipeBytes += (int)moved;
            return Flush(direction);
        }

        return moved == 0 ? SourceEnded(direction) : IsTransient(Errno);
    }

    /// <summary>
    /// The source sent FIN: pass it on once everything before it is delivered.
    /// When the other way is already finished the pair closes right after, and
    /// that close sends the FIN, so no shutdown call is spent on it.
    /// </summary>
    private bool SourceEnded(RelayDirection direction)
    {
        direction.SourceEnded = true;
        if (!direction.HasBacklog && !direction.Finished)
        {
            direction.Finished = true;
            RelayDirection other = direction == _up ? _down : _up;
            if (!other.Finished)
            {
                _ = Shutdown(direction.Destination, SHUT_WR);
            }
        }

        return true;
    }

    private void TryStartSplice(RelayDirection direction)
    {
        if (_context.Settings.PacketDump || !_context.TryTakePipe())
        {
            return;
        }

        int* fds = stackalloc int[2];
        if (Pipe(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        {
            _context.ReturnPipe();
            return;
        }

        _ = Fcntl(fds[1], F_SETPIPE_SZ, SpliceChunk);
        direction.PipeRead = fds[0];
        direction.PipeWrite = fds[1];
        if (_context.Log.DebugEnabled)
        {
            string way = direction.ClientToChannel ? "client to channel" : "channel to client";
            _context.Log.Debug($"zero-copy relay group {_lease.Group} channel {_lease.Index} {way}");
        }
    }

    private void Count(RelayDirection direction, int bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        LastActivity = Environment.TickCount64;
        if (direction.ClientToChannel)
        {
            _lease.Channel.AddSent(bytes);
        }
        else
        {
            _lease.Channel.AddReceived(bytes);
        }
    }

    private static bool IsTransient(int errno) => errno is EAGAIN or EINTR;

    private void UpdateInterest()
    {
        uint client = (_up.WantsRead ? ReadInterest : 0) | (_down.HasBacklog ? EPOLLOUT : 0);
        uint backend = (_down.WantsRead ? ReadInterest : 0) | (_up.HasBacklog ? EPOLLOUT : 0);
        SetMask(_client, ref _clientMask, client);
        SetMask(_backend, ref _backendMask, backend);
    }

    /// <summary>
    /// Keeps the registration in step with what the pair waits for. A
    /// descriptor with nothing to wait for stays in epoll with no events, where
    /// errors and hang-ups are still reported.
    /// </summary>
    private void SetMask(int fd, ref uint current, uint wanted)
    {
        if (wanted == current || (current == HungUp && wanted == 0))
        {
            return;
        }

        if (current is Unwatched or HungUp)
        {
            _loop.Register(fd, wanted, this);
        }
        else
        {
            _loop.Modify(fd, wanted);
        }

        current = wanted;
    }

    /// <summary>Takes a descriptor out of epoll after a hang-up.</summary>
    private void Leave(int fd, ref uint current)
    {
        if (current is not (Unwatched or HungUp))
        {
            _loop.Unregister(fd);
        }

        current = Unwatched;
    }

    /// <summary>
    /// Closes a socket of this pair. Closing the last descriptor of a socket
    /// takes it out of epoll by itself (none is ever duplicated here), so only
    /// the loop's slot is cleared: no EPOLL_CTL_DEL call per socket.
    /// </summary>
    private void CloseSocket(int fd, ref uint current)
    {
        _loop.Forget(fd);
        current = Unwatched;
        _ = LinuxNative.Close(fd);
    }

    /// <summary>Ends the pair at once (reset, idle timeout, shutdown).</summary>
    public void Abort() => Close(reset: true);

    private void Close(bool reset)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        EndConnect();
        IsRelaying = false;
        if (reset)
        {
            ResetOnClose(_client);
            if (_backend >= 0)
            {
                ResetOnClose(_backend);
            }
        }

        CloseSocket(_client, ref _clientMask);
        CloseBackendSocket();
        ReleaseDirection(_up);
        ReleaseDirection(_down);
        if (_leased)
        {
            _leased = false;
            _lease.Channel.EndConnection();
        }

        Unlink();
        Recycle();
    }

    /// <summary>Back to the state of a new pair, and onto the loop's free list.</summary>
    private void Recycle()
    {
        _client = -1;
        _clientMask = _backendMask = Unwatched;
        _lease = default;
        _closed = false;
        LastActivity = 0;
        _up.Reset();
        _down.Reset();
        _loop.ReturnFreePair(this);
    }

    private void CloseBackendSocket()
    {
        if (_backend < 0)
        {
            return;
        }

        CloseSocket(_backend, ref _backendMask);
        _backend = -1;
    }

    private void ReleaseDirection(RelayDirection direction)
    {
        if (direction.Pending is not null)
        {
            ArrayPool<byte>.Shared.Return(direction.Pending);
            direction.Pending = null;
            direction.PendingCount = 0;
        }

        if (direction.Splicing)
        {
            _ = LinuxNative.Close(direction.PipeRead);
            _ = LinuxNative.Close(direction.PipeWrite);
            direction.PipeRead = direction.PipeWrite = -1;
            direction.PipeBytes = 0;
            _context.ReturnPipe();
        }
    }

    private void Unlink()
    {
        if (_previousPair is not null)
        {
            _previousPair.NextPair = NextPair;
        }
        else
        {
            _loop.FirstPair = NextPair;
        }

        if (NextPair is not null)
        {
            NextPair._previousPair = _previousPair;
        }

        NextPair = null;
        _previousPair = null;
        _loop.PairCount--;
    }
}

