using System.Net.Sockets;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy;

/// <summary>
/// The portable engine on .NET sockets: every client is handed to its own
/// asynchronous session, so a slow connect never holds up the next accept.
/// Also runs the idle timeout.
/// </summary>
internal sealed class SocketProxyEngine : IProxyEngine
{
    private static readonly TimeSpan ResourceLogInterval = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly RoutingTable _table;
    private readonly ProxySettings _settings;
    private readonly Log _log;
    private readonly BackendConnector _connector;
    private readonly SessionRegistry _registry = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _hardStop = new();
    private long _drainDeadline = long.MaxValue;
    private long _lastResourceLog = long.MinValue;

    public SocketProxyEngine(Socket listener, RoutingTable table, ProxySettings settings, Log log)
    {
        _listener = listener;
        _table = table;
        _settings = settings;
        _log = log;
        _connector = new BackendConnector(settings);
    }

    public int ActiveRelays => _registry.Count;

    public async Task RunAsync()
    {
        Task idle = _settings.IdleTimeout > TimeSpan.Zero ? CloseIdleLoopAsync() : Task.CompletedTask;
        await AcceptLoopAsync().ConfigureAwait(false);
        while (_registry.Count > 0 && !_hardStop.IsCancellationRequested
            && Environment.TickCount64 < Interlocked.Read(ref _drainDeadline))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        _hardStop.Cancel();
        _registry.CloseAll();
        await idle.ConfigureAwait(false);
    }

    public void Stop(TimeSpan grace)
    {
        long deadline = Environment.TickCount64 + (long)grace.TotalMilliseconds;
        Interlocked.Exchange(ref _drainDeadline, Math.Min(deadline, Interlocked.Read(ref _drainDeadline)));
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
            _listener.Dispose();
        }
    }

    public void StopNow()
    {
        Stop(TimeSpan.Zero);
        _hardStop.Cancel();
        _registry.CloseAll();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                if (_stopping.IsCancellationRequested)
                {
                    break;
                }

                await BackOffAsync(e).ConfigureAwait(false);
                continue;
            }

            var session = new ClientSession(client, _table, _connector, _registry, _settings, _log);
            _ = session.RunAsync(_hardStop.Token);
        }
    }

    /// <summary>
    /// Accept failed (out of descriptors or memory): say so at most once per
    /// interval and wait a little, instead of spinning or exiting.
    /// </summary>
    private async Task BackOffAsync(SocketException e)
    {
        long now = Environment.TickCount64;
        if (now - _lastResourceLog >= (long)ResourceLogInterval.TotalMilliseconds)
        {
            _lastResourceLog = now;
            _log.Error($"accept: {e.Message}");
        }

        try
        {
            await Task.Delay(50, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CloseIdleLoopAsync()
    {
        long idleMs = (long)_settings.IdleTimeout.TotalMilliseconds;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(idleMs / 4, 50, 1000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_hardStop.Token).ConfigureAwait(false))
            {
                _registry.CloseIdle(idleMs);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        StopNow();
        _stopping.Dispose();
        _hardStop.Dispose();
    }
}
