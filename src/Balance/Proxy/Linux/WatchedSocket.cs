using Balance.Native;

namespace Balance.Proxy.Linux;

/// <summary>
/// One socket of a pair and what the pair waits for on it: its epoll
/// registration kept in step with the relay. A socket the pair waits for
/// nothing on stays registered with no events, where errors and hang-ups are
/// still reported; only a clean two-way hang-up takes it out.
/// </summary>
internal sealed class WatchedSocket
{
    /// <summary>Not in epoll yet: the next <see cref="Want"/> adds it.</summary>
    private const uint Unwatched = 0x8000_0000;

    /// <summary>
    /// Taken out of epoll after a hang-up with nothing to wait for (it would
    /// report EPOLLHUP for ever); added back once the pair waits on it again.
    /// </summary>
    private const uint HungUp = 0x4000_0000;

    private readonly EventLoop _loop;
    private readonly IEpollHandler _handler;
    private uint _mask = Unwatched;

    public WatchedSocket(EventLoop loop, IEpollHandler handler)
    {
        _loop = loop;
        _handler = handler;
    }

    public int Fd { get; private set; } = -1;

    public bool IsOpen => Fd >= 0;

    public void Attach(int fd)
    {
        Fd = fd;
        _mask = Unwatched;
    }

    /// <summary>Waits for <paramref name="events"/> (0: only errors and hang-ups). False when epoll refused.</summary>
    public bool Want(uint events)
    {
        if (events == _mask || (_mask == HungUp && events == 0))
        {
            return true;
        }

        bool done = _mask is Unwatched or HungUp
            ? _loop.Register(Fd, events, _handler)
            : _loop.Modify(Fd, events);
        _mask = events;
        return done;
    }

    /// <summary>
    /// After a clean hang-up (both ways shut, no pending error): when the pair
    /// waits for nothing here, leave epoll until it does again.
    /// </summary>
    public void ParkIfIdle()
    {
        if (_mask == 0)
        {
            _loop.Unregister(Fd);
            _mask = HungUp;
        }
    }

    /// <summary>
    /// Closes the socket, with a reset when asked. Closing the last descriptor
    /// of a socket takes it out of epoll by itself (none is ever duplicated
    /// here), so only the loop's slot is cleared: no EPOLL_CTL_DEL per socket.
    /// </summary>
    public void Close(bool reset)
    {
        if (Fd < 0)
        {
            return;
        }

        if (reset)
        {
            _ = Libc.ResetOnClose(Fd); // a socket that refuses is gone already
        }

        _loop.Forget(Fd);
        _ = Libc.Close(Fd); // nothing to do about a failed close of a socket we drop
        Fd = -1;
        _mask = Unwatched;
    }
}
