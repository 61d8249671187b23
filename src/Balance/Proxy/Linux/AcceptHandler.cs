using Balance.Native;
using Balance.Proxy.Session;
using Balance.Routing;
using static Balance.Native.Libc;

namespace Balance.Proxy.Linux;

/// <summary>
/// Accepts clients on one loop. When descriptors or memory run out it stops
/// listening for a moment (the kernel queues the excess), logs that at most
/// once per interval, and carries on: it never exits over it.
/// </summary>
internal sealed unsafe class AcceptHandler : IEpollHandler
{
    private const int AcceptBatch = 64;
    private const long PauseMs = 100;

    private readonly EventLoop _loop;
    private readonly EpollContext _context;
    private readonly int _listener;
    private readonly bool _exclusive;
    private bool _listening;

    public AcceptHandler(EventLoop loop, EpollContext context, int listener, bool exclusive)
    {
        _loop = loop;
        _context = context;
        _listener = listener;
        _exclusive = exclusive;
    }

    public void Listen()
    {
        if (_listening || _loop.Draining || _loop.Stopping)
        {
            return;
        }

        if (_loop.Register(_listener, EPOLLIN, this, _exclusive))
        {
            _listening = true;
        }
        else
        {
            PauseAfter(LastError);
        }
    }

    /// <summary>Stops taking clients from the listener (drain, or out of descriptors).</summary>
    public void StopListening()
    {
        if (_listening)
        {
            _loop.Unregister(_listener);
            _listening = false;
        }
    }

    public void OnEvents(int fd, uint events)
    {
        byte* address = stackalloc byte[128];
        for (int i = 0; i < AcceptBatch && _listening; i++)
        {
            int length = 128;
            int client = Accept(_listener, address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (client < 0)
            {
                int errno = LastError;
                if (errno is Errno.EINTR or Errno.ECONNABORTED)
                {
                    continue;
                }

                if (Errno.IsResourceShortage(errno))
                {
                    StopListening();
                    PauseAfter(errno);
                }

                return;
            }

            // TCP_NODELAY and SO_KEEPALIVE come from the listener (see ListenerFactory).
            var sockaddr = new ReadOnlySpan<byte>(address, length);
            if (_context.Session.Log.DebugEnabled)
            {
                _context.Session.Log.Debug($"connect from {SocketAddressCodec.Address(sockaddr)}");
            }

            if (_context.Session.Settings.AcceptProxyFrom is { } allowed && !allowed.Contains(SocketAddressCodec.AddressBytes(sockaddr)))
            {
                // Only a balancer in front may say who the client is; anyone else is closed unheard.
                _context.Session.ProxyRejections.Report(ProxyRejection.NotAllowedSource, SocketAddressCodec.AddressBytes(sockaddr));
                _ = ResetOnClose(client);
                _ = Close(client);
                continue;
            }

            RelayPair.Serve(_loop, _context, client, sockaddr);
        }
    }

    /// <summary>Out of descriptors or memory: say so (at most once per interval) and listen again a little later.</summary>
    private void PauseAfter(int errno)
    {
        _context.Session.Shortage.Report(errno);
        _loop.AddTimer(_loop.Now + PauseMs, Listen);
    }
}
