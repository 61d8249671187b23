using System.Net.Sockets;

namespace Balance.Hosting;

/// <summary>
/// The accept loop of balance's own small servers (the control socket, the
/// HTTP status server): off the relay threads, at most a set number of clients
/// served at once, the rest refused on the spot so that nothing waits on them.
/// A failed accept (out of descriptors, most likely: relays need them more)
/// pauses briefly rather than spin.
/// </summary>
internal sealed class CappedAcceptor
{
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(50);

    private readonly Socket _listener;
    private readonly int _maxClients;
    private readonly Func<Socket, Task> _serve;
    private readonly Action<Socket> _refuseBusy;
    private readonly CancellationToken _stopping;
    private int _active;

    /// <summary>
    /// Starts accepting on <paramref name="listener"/> until <paramref name="stopping"/>:
    /// <paramref name="serve"/> owns each client (and closes it),
    /// <paramref name="refuseBusy"/> answers and closes one over <paramref name="maxClients"/> without waiting.
    /// </summary>
    public CappedAcceptor(Socket listener, int maxClients, Func<Socket, Task> serve, Action<Socket> refuseBusy, CancellationToken stopping)
    {
        _listener = listener;
        _maxClients = maxClients;
        _serve = serve;
        _refuseBusy = refuseBusy;
        _stopping = stopping;
        Loop = AcceptLoopAsync();
    }

    /// <summary>Ends when stopping is requested or the listener is closed.</summary>
    public Task Loop { get; }

    /// <summary>Clients being served now.</summary>
    public int Active => Volatile.Read(ref _active);

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                if (!await PauseAsync().ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (Interlocked.Increment(ref _active) > _maxClients)
            {
                Interlocked.Decrement(ref _active);
                _refuseBusy(client);
                continue;
            }

            _ = ServeCountedAsync(client);
        }
    }

    private async Task ServeCountedAsync(Socket client)
    {
        try
        {
            await _serve(client).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private async Task<bool> PauseAsync()
    {
        try
        {
            await Task.Delay(PauseAfterFailure, _stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
