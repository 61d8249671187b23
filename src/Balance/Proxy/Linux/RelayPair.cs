using System.Net;
using Balance.ConnectionLog;
using Balance.Native;
using Balance.Proxy.Linux.Kernel;
using Balance.Proxy.Session;
using Balance.Routing;
using static Balance.Native.Libc;

namespace Balance.Proxy.Linux;

/// <summary>
/// One client connection on an event loop: the shared connect walk with a
/// non-blocking connect and the -t deadline, then the relay both ways (see
/// <see cref="RelayDirection"/>). A half-close is passed on; a reset or error
/// on either socket ends both. Both sockets stay in epoll while the pair
/// relays, also when it waits for nothing on one of them (its data is stuck
/// behind a slow peer), so a reset there still ends the pair. When every
/// channel it could use is full it may wait in the queue at maxc first,
/// holding no backend and no buffer, until its loop is handed a slot.
/// </summary>
internal sealed unsafe partial class RelayPair : IEpollHandler, ISlotWaiter
{

    private readonly EventLoop _loop;
    private readonly EpollContext _context;
    private readonly ConnectAttempt _attempt;
    private readonly RelayDirection _up;
    private readonly RelayDirection _down;
    private readonly WatchedSocket _client;
    private readonly WatchedSocket _backend;
    private readonly KernelPair? _kernel;
    private bool _connecting;
    private bool _closed;

    private RelayPair(EventLoop loop, EpollContext context)
    {
        _loop = loop;
        _context = context;
        _attempt = new ConnectAttempt(context.Session);
        _up = new RelayDirection(clientToChannel: true, loop, context, Traffic, _attempt);
        _down = new RelayDirection(clientToChannel: false, loop, context, Traffic, _attempt);
        _up.Other = _down;
        _down.Other = _up;
        _client = new WatchedSocket(loop, this);
        _backend = new WatchedSocket(loop, this);
        _kernel = loop.KernelSlots is null || context.Session.Settings.PacketDump ? null : new KernelPair(loop.KernelSlots);
    }

    /// <summary>Relays a newly accepted client, on a pair taken from the loop's pool when one is free.</summary>
    public static void Serve(EventLoop loop, EpollContext context, int client, ReadOnlySpan<byte> clientSockaddr)
    {
        RelayPair pair = loop.Pool.Take() ?? new RelayPair(loop, context);
        pair._client.Attach(client);
        pair._turns = pair._upReadsSeen = pair._downReadsSeen = 0;
        loop.Live.Add(pair);
        ProxySettings settings = context.Session.Settings;
        if (settings.SendProxy != 0 || settings.AcceptProxyFrom is not null)
        {
            pair.NoteAddresses(clientSockaddr);
        }

        if (settings.AcceptProxyFrom is not null)
        {
            pair.BeginHeader();
            return;
        }

        pair._attempt.Begin(ClientHash.Of(SocketAddressCodec.AddressBytes(clientSockaddr)));
        pair._attempt.NoteClient(SocketAddressCodec.AddressBytes(clientSockaddr), SocketAddressCodec.Port(clientSockaddr));
        pair.TryNextChannel();
    }

    /// <summary>Links of the loop's lists: free pairs, pairs in flight, pending connects.</summary>
    internal RelayPair? NextFree { get; set; }

    internal RelayPair? NextLive { get; set; }

    internal RelayPair? PreviousLive { get; set; }

    /// <summary>Place in the loop's connect deadlines.</summary>
    internal DeadlineLink ConnectLink;

    /// <summary>Place in the loop's queue deadlines.</summary>
    internal DeadlineLink QueueLink;

    /// <summary>Link of the loop's list of pairs that got a slot in the queue (<see cref="EventLoop.Post"/>).</summary>
    internal RelayPair? NextGranted;

    /// <summary>Bytes, last activity and half-close of the relay, for the counters and the timeouts.</summary>
    public PairTraffic Traffic { get; } = new();

    public bool IsRelaying { get; private set; }


    // ---- the connect phase ----

    private void TryNextChannel()
    {
        while (!_closed)
        {
            if (!_attempt.TryNext(out IPEndPoint target))
            {
                if (TryWait())
                {
                    return;
                }

                Close(reset: false, EndReason.AllChannelsFailed); // no channel left: accept-and-close, as the original
                return;
            }

            int result = BackendSocket.Open(target, _attempt, out int fd);
            if (fd < 0)
            {
                _attempt.Failed(ConnectOutcome.LocalFailure, result);
                Close(reset: true, EndReason.AllChannelsFailed);
                return;
            }

            _backend.Attach(fd);
            if (result == 0)
            {
                OnConnected();
                return;
            }

            if (result == Errno.EINPROGRESS)
            {
                if (!_backend.Want(EPOLLOUT))
                {
                    _attempt.Failed(ConnectOutcome.LocalFailure, LastError);
                    Close(reset: true, EndReason.AllChannelsFailed);
                    return;
                }

                _connecting = true;
                _loop.Deadlines.Add(this, _loop.Now + _context.ConnectTimeoutMs);
                return;
            }

            ConnectFailed(ConnectErrors.FromErrno(result));
        }
    }

    private void OnConnected()
    {
        EndConnect();
        _ = SetIntOption(_backend.Fd, IPPROTO_TCP, TCP_NODELAY, 1); // options only; the relay works without them
        _ = SetIntOption(_backend.Fd, SOL_SOCKET, SO_KEEPALIVE, 1);
        _attempt.Connected();
        _up.Connect(_client.Fd, _backend.Fd);
        _down.Connect(_backend.Fd, _client.Fd);
        Traffic.Begin(_attempt.Lease.Channel, _loop.Now);
        IsRelaying = true;
        if (!SendProxyHeader() || !UpdateInterest())
        {
            Close(reset: true);
        }
    }

    private void ConnectFailed(ConnectOutcome outcome)
    {
        EndConnect();
        _backend.Close(reset: false);
        _attempt.Failed(outcome);
    }

    private void EndConnect()
    {
        _connecting = false;
        _loop.Deadlines.Remove(this);
    }

    public void OnConnectTimeout()
    {
        if (_closed || HeaderTimedOut() || !_connecting)
        {
            return;
        }

        ConnectFailed(ConnectOutcome.TimedOut);
        TryNextChannel();
    }

    // ---- events ----

    public void OnEvents(int fd, uint events)
    {
        if (_closed)
        {
            return;
        }

        if (_readingHeader)
        {
            ReadHeader(events);
            return;
        }

        if (_connecting)
        {
            if (fd == _backend.Fd)
            {
                // EPOLLOUT alone means connected; only a failure needs SO_ERROR read.
                int error = (events & (EPOLLERR | EPOLLHUP)) == 0 ? 0 : PendingError(fd);
                if (error == 0)
                {
                    OnConnected();
                }
                else
                {
                    ConnectFailed(ConnectErrors.FromErrno(error));
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

        bool fromClient = fd == _client.Fd;
        bool ok = fromClient ? Serve(events, readFrom: _up, writeTo: _down) : Serve(events, readFrom: _down, writeTo: _up);
        if (!ok)
        {
            Close(reset: true);
        }
        else if (_up.Finished && _down.Finished)
        {
            Close(reset: false);
        }
        else if (!UpdateInterest())
        {
            Close(reset: true);
        }
        else
        {
            if ((events & EPOLLHUP) != 0)
            {
                // Both ways of this socket are shut (its peer's FIN is in, ours is out).
                (fromClient ? _client : _backend).ParkIfIdle();
            }

            if (_kernel is not null)
            {
                KernelStep();
            }
        }
    }


    /// <summary>One socket's events: it may take the backlog owed to it and have data to read.</summary>
    private static bool Serve(uint events, RelayDirection readFrom, RelayDirection writeTo)
    {
        if ((events & (EPOLLOUT | EPOLLHUP)) != 0 && writeTo.HasBacklog && !writeTo.Flush())
        {
            return false;
        }

        if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0 && readFrom.WantsRead)
        {
            return readFrom.Pump(peerClosed: (events & EPOLLRDHUP) != 0);
        }

        return true;
    }

    /// <summary>Waits on each socket for what the directions need; false when epoll refused (the pair must end).</summary>
    private bool UpdateInterest() =>
        _client.Want((_up.WantsRead ? _up.ReadInterest : 0) | (_down.HasBacklog ? EPOLLOUT : 0))
        && _backend.Want((_down.WantsRead ? _down.ReadInterest : 0) | (_up.HasBacklog ? EPOLLOUT : 0));

    // ---- the end ----

    /// <summary>Ends the pair at once for <paramref name="reason"/> (a timeout, shutdown).</summary>
    public void Abort(EndReason reason)
    {
        Traffic.Ending(reason);
        Close(reset: true, reason);
    }

    /// <summary>
    /// Ends the pair. A relaying pair's reason comes from its traffic (what
    /// <see cref="Abort"/> said, a reset, or whose FIN came first); before
    /// that, <paramref name="reason"/> says it.
    /// </summary>
    private void Close(bool reset, EndReason reason = EndReason.Reset)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _readingHeader = false;
        EndConnect();
        bool slotOnItsWay = _waiting && StopWaiting();
        bool relayed = IsRelaying;
        IsRelaying = false;
        AwaitingKernel = false;
        _kernel?.Fold(Traffic, _loop.Now);
        _client.Close(reset);
        _backend.Close(reset);
        _kernel?.Leave();
        _up.Release();
        _down.Release();
        _attempt.End(relayed ? Traffic.EndedBecause(reset) : reason, relayed ? Traffic : null);
        _loop.Live.Remove(this);
        if (slotOnItsWay)
        {
            return; // a post for this pair is coming: it stays closed, out of the pool, and the GC takes it
        }

        _closed = false;
        _loop.Pool.Return(this);
    }
}
