using System.Net.Sockets;
using Balance.Hosting;

namespace Balance.Proxy;

/// <summary>
/// Running out of descriptors or memory, told at most once per interval and
/// never once per connection: under a flood of clients one line says what is
/// going on, not thousands. Both engines report through it.
/// </summary>
internal sealed class ResourceShortageLog
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private const int EMFILE = 24;
    private const int ENFILE = 23;

    private readonly Log _log;
    /// <summary>Tick of the last line, -1 for none yet (now - long.MinValue would overflow and never log).</summary>
    private long _last = -1;

    public ResourceShortageLog(Log log)
    {
        _log = log;
    }

    /// <summary>A system call failed with <paramref name="errno"/> for want of a descriptor or memory.</summary>
    public void Report(int errno) =>
        Report(errno is EMFILE or ENFILE ? "too many open files" : $"errno {errno}");

    public void Report(SocketException e) =>
        Report(e.SocketErrorCode == SocketError.TooManyOpenSockets ? "too many open files" : e.Message);

    private void Report(string why)
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _last);
        if ((last < 0 || now - last >= (long)Interval.TotalMilliseconds) && Interlocked.CompareExchange(ref _last, now, last) == last)
        {
            _log.Error($"cannot open a connection: {why}; clients are refused or wait in the listen queue");
        }
    }
}
