using Balance.CommandLine;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Discovery;

/// <summary>
/// Keeps the channels of one <c>srv:</c> argument in step with DNS, on a task
/// of its own (never on a relay loop): looks the record up again when its TTL
/// runs out, but not sooner than <see cref="MinRefresh"/> nor later than
/// <see cref="MaxRefresh"/>. A failed lookup, or one with no target, keeps the
/// last good set and is tried again after <see cref="RetryAfterFailure"/>.
/// </summary>
internal sealed class SrvWatcher : IDisposable
{
    /// <summary>A TTL of 0 (dnsmasq's default for its own records) would mean asking without pause.</summary>
    public static readonly TimeSpan MinRefresh = TimeSpan.FromSeconds(1);

    /// <summary>A day-long TTL would leave a removed backend in rotation for a day.</summary>
    public static readonly TimeSpan MaxRefresh = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);

    private readonly SrvSpec _spec;
    private readonly ISrvLookup _lookup;
    private readonly SrvChannelSync _sync;
    private readonly OutageLog _outage;
    private readonly Log _log;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public SrvWatcher(SrvSpec spec, GroupType type, RoutingTable table, ISrvLookup lookup, Log log, TimeProvider clock)
    {
        _spec = spec;
        _lookup = lookup;
        _sync = new SrvChannelSync(table, spec, type);
        _log = log;
        _clock = clock;
        _outage = new OutageLog(log, clock);
    }

    /// <summary>
    /// The first lookup, waited for so that the channels are there when the
    /// listener opens (bounded: a dead resolver delays the start by at most
    /// the lookup's timeouts), then the loop that follows the record.
    /// </summary>
    public void Start()
    {
        TimeSpan next;
        try
        {
            next = RefreshAsync().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _outage.Failed($"SRV lookup of {_spec.Name} failed: {e.Message}");
            next = RetryAfterFailure;
        }

        _loop = Task.Run(() => LoopAsync(next));
    }

    /// <summary>One lookup and its changes; returns when to look again.</summary>
    public async Task<TimeSpan> RefreshAsync()
    {
        SrvAnswer answer = await _lookup.LookupAsync(_spec.Name, _stop.Token).ConfigureAwait(false);
        if (!answer.IsUsable)
        {
            _outage.Failed($"SRV lookup of {_spec.Name} failed ({answer.Error ?? "no targets"}), keeping {_sync.Count} channels");
            return RetryAfterFailure;
        }

        _outage.Recovered($"SRV lookup of {_spec.Name} works again");
        (int added, int removed) = _sync.Apply(answer.Targets);
        if (added + removed > 0)
        {
            _log.Notice($"SRV {_spec.Name}: {added} channels added, {removed} removed (drained), {_sync.Count} in use");
        }

        return answer.TimeToLive < MinRefresh ? MinRefresh : answer.TimeToLive > MaxRefresh ? MaxRefresh : answer.TimeToLive;
    }

    private async Task LoopAsync(TimeSpan next)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(next, _clock, _stop.Token).ConfigureAwait(false);
                next = await RefreshAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug here must not end the process: the last channels stay, the next round tries again.
                _outage.Failed($"SRV update of {_spec.Name} failed: {e.Message}");
                next = RetryAfterFailure;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
