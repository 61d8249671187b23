namespace Balance.Tests.Support;

/// <summary>What a process holds, read from /proc: open descriptors and memory.</summary>
internal static class ProcStats
{
    public static int Descriptors(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>
    /// Open sockets and pipes: what relays hold. (The JIT-compiled build also
    /// opens assembly and symbol files of its own on first use; those are not
    /// counted here.)
    /// </summary>
    public static int SocketsAndPipes(int pid)
    {
        int count = 0;
        foreach (string fd in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                string? target = new FileInfo(fd).LinkTarget;
                if (target is not null && (target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("pipe:", StringComparison.Ordinal)))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        return count;
    }

    /// <summary>Resident set size in KiB (VmRSS).</summary>
    public static long RssKb(int pid) => Field($"/proc/{pid}/status", "VmRSS:");

    /// <summary>Proportional set size in KiB (what the process costs the machine, shared pages split).</summary>
    public static long PssKb(int pid) => Field($"/proc/{pid}/smaps_rollup", "Pss:");

    /// <summary>Limit on open files (soft) as the kernel applies it to the process.</summary>
    public static long OpenFilesLimit(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);
            }
        }

        throw new InvalidDataException("no open-files line in /proc/PID/limits");
    }

    private static long Field(string file, string name)
    {
        foreach (string line in File.ReadLines(file))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line[name.Length..].Trim().Split(' ')[0]);
            }
        }

        throw new InvalidDataException($"no {name} in {file}");
    }
}
