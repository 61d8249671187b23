using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Balance.Tests.Support;

/// <summary>
/// A long transfer through an echo backend (<see cref="TestBackend.Behaviour.GreetThenEcho"/>):
/// connected and greeted at once, it sends random 64 KiB chunks every few
/// milliseconds until <see cref="Finish"/> (and at least <see cref="MinChunks"/>),
/// then half-closes; the echo must come back byte for byte (SHA-256 of both ways).
/// </summary>
internal sealed class EchoTransfer
{
    public const int MinChunks = 8;
    private const int ChunkBytes = 64 * 1024;
    private const int MaxChunks = 4096;

    private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Socket _socket;

    private EchoTransfer(Socket socket)
    {
        _socket = socket;
        Done = RunAsync();
    }

    /// <summary>Completes with true when the echo matched what was sent; false with <see cref="Failure"/> otherwise.</summary>
    public Task<bool> Done { get; }

    public string? Failure { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Connects through <paramref name="port"/> and waits for the backend's greeting: the connection is served.</summary>
    public static async Task<EchoTransfer> StartAsync(int port)
    {
        Socket socket = await TestClient.ConnectAsync(port, to: IPAddress.Loopback);
        await TestClient.ReadLineAsync(socket);
        return new EchoTransfer(socket);
    }

    public void Finish() => _finish.TrySetResult();

    private async Task<bool> RunAsync()
    {
        using (_socket)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                Task<byte[]> received = ReceiveHashAsync(timeout.Token);
                using var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                byte[] chunk = new byte[ChunkBytes];
                for (int i = 0; i < MaxChunks && (i < MinChunks || !_finish.Task.IsCompleted); i++)
                {
                    RandomNumberGenerator.Fill(chunk);
                    sent.AppendData(chunk);
                    await _socket.SendAsync(chunk, SocketFlags.None, timeout.Token);
                    Bytes += chunk.Length;
                    await Task.Delay(5, timeout.Token);
                }

                _socket.Shutdown(SocketShutdown.Send);
                byte[] echoed = await received;
                if (!echoed.AsSpan().SequenceEqual(sent.GetHashAndReset()))
                {
                    Failure = $"the echo of {Bytes} bytes differs (SHA-256)";
                    return false;
                }

                return true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                Failure = $"{e.GetType().Name} after {Bytes} bytes sent: {e.Message}";
                return false;
            }
        }
    }

    /// <summary>The SHA-256 of everything echoed, once the backend closes (after the half-close).</summary>
    private async Task<byte[]> ReceiveHashAsync(CancellationToken cancellation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[ChunkBytes];
        int n;
        while ((n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0)
        {
            hash.AppendData(buffer, 0, n);
        }

        return hash.GetHashAndReset();
    }
}
