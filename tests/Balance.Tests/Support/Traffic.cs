using System.Net.Sockets;
using System.Security.Cryptography;

namespace Balance.Tests.Support;

/// <summary>Client-side traffic for the fault tests; every wait has a deadline.</summary>
internal static class Traffic
{
    /// <summary>
    /// Sends <paramref name="rounds"/> random blocks of <paramref name="size"/>
    /// bytes through an echo, checking each comes back unchanged.
    /// </summary>
    public static async Task EchoRoundsAsync(Socket socket, int rounds, int size, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        byte[] sent = new byte[size];
        byte[] back = new byte[size];
        for (int i = 0; i < rounds; i++)
        {
            RandomNumberGenerator.Fill(sent);
            await socket.SendAsync(sent, SocketFlags.None, cancel.Token);
            await ReadExactlyAsync(socket, back, cancel.Token);
            if (!sent.AsSpan().SequenceEqual(back))
            {
                throw new InvalidDataException($"echo round {i} came back changed");
            }
        }
    }

    public static async Task ReadExactlyAsync(Socket socket, Memory<byte> into, CancellationToken cancel)
    {
        while (!into.IsEmpty)
        {
            int n = await socket.ReceiveAsync(into, SocketFlags.None, cancel);
            if (n == 0)
            {
                throw new EndOfStreamException("the connection ended early");
            }

            into = into[n..];
        }
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, TimeSpan timeout)
    {
        byte[] data = new byte[count];
        using var cancel = new CancellationTokenSource(timeout);
        await ReadExactlyAsync(socket, data, cancel.Token);
        return data;
    }

    /// <summary>Sends a reset instead of a FIN: what a client killed with unread data does.</summary>
    public static void Reset(Socket socket) => TestBackend.Reset(socket);

    /// <summary>The first bytes a <see cref="StreamBackend"/> sends on every connection.</summary>
    public static byte[] PatternStart(int count) => Pattern.Slice(0, count).ToArray();

    /// <summary>
    /// Sends until the client's own send buffer stays full: balance has stopped
    /// reading because it holds data the backend does not take.
    /// </summary>
    public static async Task FillUntilStalledAsync(Socket client)
    {
        client.Blocking = false;
        byte[] block = new byte[64 * 1024];
        int stalls = 0;
        for (int i = 0; i < 2000 && stalls < 3; i++)
        {
            try
            {
                client.Send(block);
                stalls = 0;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                stalls++;
                await Task.Delay(10);
            }
        }

        Assert.Equal(3, stalls);
    }
}

/// <summary>
/// Reads a connection to its end in the background, counting bytes and
/// hashing them, and records how it ended (FIN or reset).
/// </summary>
internal sealed class Download
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _received;

    public Download(Socket socket, TimeSpan timeout)
    {
        Socket = socket;
        Completion = RunAsync(timeout);
    }

    public Socket Socket { get; }

    public long Received => Interlocked.Read(ref _received);

    /// <summary>True once the peer ended the connection with a reset, false with a FIN; throws on timeout.</summary>
    public Task<bool> Completion { get; }

    /// <summary>SHA-256 of everything received; valid once <see cref="Completion"/> is done.</summary>
    public byte[] Hash => _hash.GetCurrentHash();

    private async Task<bool> RunAsync(TimeSpan timeout)
    {
        await Task.Yield();
        byte[] buffer = new byte[256 * 1024];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            int n;
            while ((n = await Socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
            {
                _hash.AppendData(buffer, 0, n);
                Interlocked.Add(ref _received, n);
            }

            return false;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the connection did not end within {timeout.TotalSeconds:0.#} s ({Received} bytes read)");
        }
    }
}
