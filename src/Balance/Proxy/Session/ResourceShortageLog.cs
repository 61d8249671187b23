using Balance.Hosting;
using Balance.Native;

namespace Balance.Proxy.Session;

/// <summary>
/// Running out of descriptors or memory, told at most once per interval and
/// never once per connection: under a flood of clients one line says what is
/// going on, not thousands. Both engines report through it.
/// </summary>
internal sealed class ResourceShortageLog
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Log _log;
    private readonly LogThrottle _throttle;

    public ResourceShortageLog(Log log, TimeProvider clock)
    {
        _log = log;
        _throttle = new LogThrottle(clock, Interval);
    }

    /// <summary>A system call failed with <paramref name="errno"/> for want of a descriptor or memory.</summary>
    public void Report(int errno)
    {
        if (_throttle.TryTake())
        {
            string why = errno is Errno.EMFILE or Errno.ENFILE ? "too many open files" : Describe(errno);
            _log.Error($"cannot open a connection: {why}; clients are refused or wait in the listen queue");
        }
    }

    private static string Describe(int errno) => errno switch
    {
        Errno.ENOBUFS => "no buffer space available",
        Errno.ENOMEM => "out of memory",
        _ => $"errno {errno}",
    };
}
