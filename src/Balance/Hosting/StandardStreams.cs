using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Balance.Hosting;

/// <summary>
/// Writers straight onto descriptors 1 and 2, for what the proxy prints while
/// it serves (log lines, packet dump). System.Console opens its streams, and
/// sets up the terminal, on first use, duplicating descriptors to do so: when
/// every descriptor is taken, the very moment a shortage is to be logged, that
/// fails and throws. These need no descriptor of their own and buffer nothing.
/// </summary>
internal static class StandardStreams
{
    public static TextWriter OpenStdout() => Open(1);

    public static TextWriter OpenStderr() => Open(2);

    private static TextWriter Open(int fd)
    {
        var handle = new SafeFileHandle(fd, ownsHandle: false);
        var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        return TextWriter.Synchronized(new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true });
    }
}
