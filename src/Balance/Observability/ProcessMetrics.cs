using System.Buffers.Text;
using Balance.Native;

namespace Balance.Observability;

/// <summary>
/// The standard <c>process_*</c> families, read from /proc at each scrape
/// (as Prometheus' own client libraries do on Linux). Anything unreadable is
/// left out of the scrape rather than reported as a wrong number.
/// </summary>
internal sealed class ProcessMetrics
{
    private readonly double _ticksPerSecond;
    private readonly double? _startTimeSeconds;

    public ProcessMetrics()
    {
        long ticks = OperatingSystem.IsLinux() ? Libc.SysConf(Libc._SC_CLK_TCK) : -1;
        _ticksPerSecond = ticks > 0 ? ticks : 100;
        _startTimeSeconds = ReadStat(out ProcStat stat) && ReadBootTime() is long boot
            ? boot + stat.StartTicks / _ticksPerSecond
            : null;
    }

    public void Write(ExpositionWriter writer)
    {
        if (ReadStat(out ProcStat stat))
        {
            writer.Family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
            writer.Sample("process_cpu_seconds_total"u8, default, default, (stat.UserTicks + stat.SystemTicks) / _ticksPerSecond);
            writer.Family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
            writer.Sample("process_virtual_memory_bytes"u8, default, stat.VirtualBytes);
            writer.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
            writer.Sample("process_resident_memory_bytes"u8, default, stat.ResidentPages * Environment.SystemPageSize);
        }

        if (_startTimeSeconds is double start)
        {
            writer.Family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
            writer.Sample("process_start_time_seconds"u8, default, default, start);
        }

        if (OpenDescriptors() is long open)
        {
            writer.Family("process_open_fds", "gauge", "Number of open file descriptors.");
            writer.Sample("process_open_fds"u8, default, open);
        }

        if (OperatingSystem.IsLinux() && Libc.GetRLimit(Libc.RLIMIT_NOFILE, out Libc.RLimit limit) == 0)
        {
            writer.Family("process_max_fds", "gauge", "Maximum number of open file descriptors (the soft limit).");
            writer.Sample("process_max_fds"u8, default, (long)Math.Min(limit.Current, long.MaxValue));
        }
    }

    private readonly record struct ProcStat(long UserTicks, long SystemTicks, long StartTicks, long VirtualBytes, long ResidentPages);

    /// <summary>/proc/self/stat: the fields after the command name, which is in parentheses and may contain spaces.</summary>
    private static bool ReadStat(out ProcStat stat)
    {
        stat = default;
        Span<byte> buffer = stackalloc byte[1024];
        int length = ReadFile("/proc/self/stat", buffer);
        int close = buffer[..Math.Max(length, 0)].LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        // Field 3 (state) follows ") "; utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
        Span<long> fields = stackalloc long[25];
        ReadOnlySpan<byte> rest = buffer[(close + 2)..length];
        for (int field = 3; field <= 24 && !rest.IsEmpty; field++)
        {
            int space = rest.IndexOf((byte)' ');
            ReadOnlySpan<byte> text = space < 0 ? rest : rest[..space];
            _ = Utf8Parser.TryParse(text, out fields[field], out _);
            rest = space < 0 ? default : rest[(space + 1)..];
        }

        stat = new ProcStat(fields[14], fields[15], fields[22], fields[23], fields[24]);
        return true;
    }

    /// <summary>The boot time line of /proc/stat, in seconds since the epoch.</summary>
    private static long? ReadBootTime()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6), out long boot))
                {
                    return boot;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static long? OpenDescriptors()
    {
        try
        {
            long count = 0;
            foreach (string _ in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                count++;
            }

            return count - 1; // the directory handle of this enumeration itself
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int ReadFile(string path, Span<byte> buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path);
            return RandomAccess.Read(handle, buffer, 0);
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
