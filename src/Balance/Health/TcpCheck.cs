using System.Net;
using System.Net.Sockets;
using Balance.Native;
using Balance.Proxy.Linux;
using Balance.Proxy.Session;

namespace Balance.Health;

/// <summary>What a running check waits for next.</summary>
internal enum CheckStep
{
    Writable,
    Readable,
    Done,
}

/// <summary>
/// One channel's TCP check, reused check after check: a non-blocking connect
/// from the -B source (the same socket opening as clients' connects), then
/// --check-send written and --check-expect looked for in the reply. A check
/// ends with a disconnect (connect to AF_UNSPEC), which resets an established
/// connection, as HAProxy ends its checks, so nothing lingers in TIME_WAIT (at
/// 256 channels every 0.2 s that would be some 77,000 sockets), and keeps the
/// socket for the next check: no socket(), close() or epoll registration per
/// check, some 15% of a check's cost. The caller watches the socket and keeps
/// the deadline.
/// </summary>
internal sealed unsafe class TcpCheck
{
    /// <summary>A reply is read this far for the expected string, no further.</summary>
    public const int MaxReplyBytes = 64 * 1024;

    private readonly HealthOptions _options;
    private readonly CheckTexts _texts;
    private readonly OutgoingSource _source;
    private readonly ExpectMatcher? _matcher;
    private Phase _phase;
    private AddressFamily _family;
    private int _sent;
    private int _received;

    public TcpCheck(HealthOptions options, CheckTexts texts, OutgoingSource source)
    {
        _options = options;
        _texts = texts;
        _source = source;
        _matcher = options.Expect is { } expect ? new ExpectMatcher(expect) : null;
    }

    private enum Phase
    {
        Connecting,
        Sending,
        Reading,
    }

    /// <summary>The channel being checked; null between checks.</summary>
    public HealthEntry? Entry { get; private set; }

    public int Fd { get; private set; } = -1;

    /// <summary>False for a socket just opened: the caller has yet to add it to its epoll set. Set by the caller.</summary>
    public bool Watched { get; set; }

    /// <summary>When the check times out (clock milliseconds).</summary>
    public long Deadline { get; private set; }

    /// <summary>Goes up with every check, so an event for an earlier one is told apart.</summary>
    public uint Generation { get; private set; }

    /// <summary>How the check ended, once a step returned <see cref="CheckStep.Done"/>.</summary>
    public CheckResult Result { get; private set; }

    /// <summary>Opens the socket and starts the connect.</summary>
    public CheckStep Begin(HealthEntry entry, IPEndPoint target, long deadline)
    {
        Entry = entry;
        Deadline = deadline;
        Generation++;
        _phase = Phase.Connecting;
        _sent = 0;
        _received = 0;
        _matcher?.Reset();
        int result = Fd >= 0 && _family == target.AddressFamily ? BackendSocket.Reconnect(Fd, target) : OpenSocket(target);
        return result switch
        {
            0 => Connected(),
            Errno.EINPROGRESS => CheckStep.Writable,
            _ when IsLocal(result) => Done(CheckResult.NotRun(CheckTexts.NotRun(result))),
            _ => Done(CheckResult.Fail(CheckTexts.Errno(result))),
        };
    }

    private int OpenSocket(IPEndPoint target)
    {
        CloseSocket();
        int result = BackendSocket.Open(target, _source, out int fd);
        Fd = fd;
        _family = target.AddressFamily;
        Watched = false;
        return result;
    }

    /// <summary>This machine's shortage (descriptors, memory, local ports), not the channel's fault: the check says nothing.</summary>
    private static bool IsLocal(int errno) => Errno.IsResourceShortage(errno) || errno == Errno.EADDRNOTAVAIL;

    /// <summary>The socket is ready for what the last step waited for; <paramref name="buffer"/> is scratch space for reading.</summary>
    public CheckStep OnReady(byte* buffer, int size)
    {
        switch (_phase)
        {
            case Phase.Connecting:
                int error = Libc.PendingError(Fd);
                return error == 0 ? Connected() : Done(CheckResult.Fail(CheckTexts.Errno(error)));
            case Phase.Sending:
                return Send();
            default:
                return Read(buffer, size);
        }
    }

    /// <summary>The deadline passed: the failure says which step did not finish.</summary>
    public CheckResult TimedOut() => CheckResult.Fail(_phase switch
    {
        Phase.Connecting => _texts.NoConnection,
        Phase.Sending => _texts.NotSent,
        _ => _texts.NoReply,
    });

    /// <summary>The check is over: the connection is reset and the socket kept for the next check, or closed if it cannot be.</summary>
    public void End()
    {
        if (Fd >= 0 && !Libc.Disconnect(Fd))
        {
            CloseSocket();
        }

        Entry = null;
    }

    /// <summary>Closes the socket with a reset (which also takes it out of epoll); the next check opens a new one.</summary>
    public void CloseSocket()
    {
        if (Fd >= 0)
        {
            _ = Libc.ResetOnClose(Fd);
            _ = Libc.Close(Fd);
            Fd = -1;
        }
    }

    private CheckStep Connected()
    {
        if (_options.Send is not null)
        {
            _phase = Phase.Sending;
            return Send();
        }

        return AfterSend();
    }

    private CheckStep Send()
    {
        byte[] data = _options.Send!;
        fixed (byte* start = data)
        {
            while (_sent < data.Length)
            {
                nint n = Libc.Send(Fd, start + _sent, data.Length - _sent, Libc.MSG_NOSIGNAL);
                if (n > 0)
                {
                    _sent += (int)n;
                    continue;
                }

                int error = Libc.LastError;
                return n < 0 && !Errno.IsTransient(error) ? Done(CheckResult.Fail(CheckTexts.Errno(error))) : CheckStep.Writable;
            }
        }

        return AfterSend();
    }

    private CheckStep AfterSend()
    {
        if (_matcher is null)
        {
            return Done(CheckResult.Pass);
        }

        _phase = Phase.Reading;
        return CheckStep.Readable; // the reply cannot be there yet when we just sent; a banner is read on the next wake
    }

    private CheckStep Read(byte* buffer, int size)
    {
        while (true)
        {
            nint n = Libc.Receive(Fd, buffer, size, 0);
            if (n > 0)
            {
                if (_matcher!.Feed(new ReadOnlySpan<byte>(buffer, (int)n)))
                {
                    return Done(CheckResult.Pass);
                }

                _received += (int)n;
                if (_received >= MaxReplyBytes)
                {
                    return Done(CheckResult.Fail(CheckTexts.TooLong));
                }

                continue;
            }

            if (n == 0)
            {
                return Done(CheckResult.Fail(CheckTexts.Closed));
            }

            int error = Libc.LastError;
            return Errno.IsTransient(error) ? CheckStep.Readable : Done(CheckResult.Fail(CheckTexts.Errno(error)));
        }
    }

    private CheckStep Done(CheckResult result)
    {
        Result = result;
        return CheckStep.Done;
    }
}
