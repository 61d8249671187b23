using System.Net.Sockets;
using Balance.Proxy.Session;

namespace Balance.Proxy.Sockets;

/// <summary>
/// The portable engine on .NET sockets: every client is handed to its own
/// asynchronous session, so a slow connect never holds up the next accept.
/// Also runs the timeouts, and a sweep that ends relays stuck behind a slow
/// side whose other side has failed.
/// </summary>
internal sealed class SocketProxyEngine : IProxyEngine
{
    /// <summary>How long a direction waits on its destination before the sweep looks at its source.</summary>
    private const long StalledMs = 500;

    private readonly Socket _listener;
    private readonly SessionContext _context;
    private readonly BackendConnector _connector;
    private readonly RelayRegistry _registry = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _hardStop = new();
    private long _drainDeadline = long.MaxValue;

    public SocketProxyEngine(Socket listener, SessionContext context)
    {
        _listener = listener;
        _context = context;
        _connector = new BackendConnector(context.Settings.ConnectTimeout, context.Clock);
    }

    /// <summary>
    /// Client sessions not yet ended (connecting, waiting, relaying or
    /// closing), counted from the accept: the drain must not end while an
    /// accepted client still connects or waits in the queue, which would
    /// close it unserved.
    /// </summary>
    private int _sessions;

    public int ActiveRelays => _registry.Count;

    public async Task RunAsync()
    {
        Task sweep = SweepLoopAsync();
        await AcceptLoopAsync().ConfigureAwait(false);
        while ((_registry.Count > 0 || Volatile.Read(ref _sessions) > 0) && !_hardStop.IsCancellationRequested
            && _context.Clock.Milliseconds() < Interlocked.Read(ref _drainDeadline))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _context.Clock).ConfigureAwait(false);
        }

        StopNow();
        await sweep.ConfigureAwait(false);

        // The sessions just aborted end on the thread pool: let them finish
        // their end (the slot back, the connection log line), briefly.
        for (int i = 0; i < 100 && Volatile.Read(ref _sessions) > 0; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _context.Clock).ConfigureAwait(false);
        }
    }

    private async Task RunSessionAsync(ClientSession session)
    {
        Interlocked.Increment(ref _sessions);
        try
        {
            await session.RunAsync(_hardStop.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _sessions);
        }
    }

    public void Stop(TimeSpan grace)
    {
        long deadline = _context.Clock.Milliseconds() + (long)grace.TotalMilliseconds;
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
        _context.Stop();
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
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
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

            var session = new ClientSession(client, _context, _connector, _registry);
            _ = RunSessionAsync(session);
        }
    }

    /// <summary>
    /// Accept failed (out of descriptors or memory): say so at most once per
    /// interval and wait a little, instead of spinning or exiting.
    /// </summary>
    private async Task BackOffAsync(SocketException e)
    {
        _context.Shortage.Report(ConnectErrors.ShortageErrno(e.SocketErrorCode));
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _context.Clock, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Closes quiet relays (-T, --fin-timeout) and relays whose stalled side has a failed source.</summary>
    private async Task SweepLoopAsync()
    {
        RelayTimeouts timeouts = _context.Settings.Timeouts;
        var period = TimeSpan.FromMilliseconds(timeouts.Enabled ? Math.Min(timeouts.SweepPeriodMs, StalledMs) : StalledMs);
        using var timer = new PeriodicTimer(period, _context.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_hardStop.Token).ConfigureAwait(false))
            {
                long now = _context.Clock.Milliseconds();
                if (timeouts.Enabled)
                {
                    _registry.CloseExpired(now, timeouts);
                }

                _registry.CloseFailed(now, StalledMs);
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
