using System.Net.Sockets;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Proxy;

/// <summary>
/// The portable engine on .NET sockets: every client is handed to its own
/// asynchronous session, so a slow connect never holds up the next accept.
/// Also runs the idle timeout, and a sweep that ends relays stuck behind a
/// slow side whose other side has failed.
/// </summary>
internal sealed class SocketProxyEngine : IProxyEngine
{
    /// <summary>How long a direction waits on its destination before the sweep looks at its source.</summary>
    private const long StalledMs = 500;

    private readonly Socket _listener;
    private readonly RoutingTable _table;
    private readonly ProxySettings _settings;
    private readonly Log _log;
    private readonly BackendConnector _connector;
    private readonly SessionRegistry _registry = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _hardStop = new();
    private long _drainDeadline = long.MaxValue;
    private readonly ResourceShortageLog _shortage;

    public SocketProxyEngine(Socket listener, RoutingTable table, ProxySettings settings, Log log)
    {
        _listener = listener;
        _table = table;
        _settings = settings;
        _log = log;
        _connector = new BackendConnector(settings, new OutgoingSource(settings.OutgoingBindAddress, log));
        _shortage = new ResourceShortageLog(log);
    }

    public int ActiveRelays => _registry.Count;

    public async Task RunAsync()
    {
        Task sweep = SweepLoopAsync();
        await AcceptLoopAsync().ConfigureAwait(false);
        while (_registry.Count > 0 && !_hardStop.IsCancellationRequested
            && Environment.TickCount64 < Interlocked.Read(ref _drainDeadline))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        _hardStop.Cancel();
        _registry.CloseAll();
        await sweep.ConfigureAwait(false);
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

            var session = new ClientSession(client, _table, _connector, _registry, _settings, _log, _shortage);
            _ = session.RunAsync(_hardStop.Token);
        }
    }

    /// <summary>
    /// Accept failed (out of descriptors or memory): say so at most once per
    /// interval and wait a little, instead of spinning or exiting.
    /// </summary>
    private async Task BackOffAsync(SocketException e)
    {
        _shortage.Report(e);

        try
        {
            await Task.Delay(50, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Closes quiet relays (-T, --fin-timeout) and relays whose stalled side has a failed source.</summary>
    private async Task SweepLoopAsync()
    {
        RelayTimeouts timeouts = _settings.Timeouts;
        var period = TimeSpan.FromMilliseconds(timeouts.Enabled ? Math.Min(timeouts.SweepPeriodMs, StalledMs) : StalledMs);
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_hardStop.Token).ConfigureAwait(false))
            {
                if (timeouts.Enabled)
                {
                    _registry.CloseExpired(timeouts);
                }

                _registry.CloseFailed(StalledMs);
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
