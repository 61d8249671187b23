using System.Net.Sockets;
using System.Text;

namespace Balance.Control;

/// <summary>Reads one \n-terminated line from a socket, never more than a fixed number of bytes.</summary>
internal static class LineReader
{
    public enum Outcome
    {
        Line,
        EndOfStream,
        TooLong,
    }

    /// <summary>
    /// Reads up to the first \n (or the end of the stream after some bytes).
    /// Bytes after the newline are ignored: a connection carries one request.
    /// </summary>
    public static async Task<(Outcome Outcome, string Line)> ReadAsync(Socket socket, int maxBytes, CancellationToken cancellation)
    {
        byte[] buffer = new byte[maxBytes];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                return filled == 0 ? (Outcome.EndOfStream, "") : (Outcome.Line, Decode(buffer, filled));
            }

            int newline = Array.IndexOf(buffer, (byte)'\n', filled, read);
            filled += read;
            if (newline >= 0)
            {
                return (Outcome.Line, Decode(buffer, newline));
            }
        }

        return (Outcome.TooLong, "");
    }

    private static string Decode(byte[] buffer, int length) => Encoding.UTF8.GetString(buffer, 0, length).TrimEnd('\r');
}
