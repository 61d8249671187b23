using Balance.Control;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Cluster;

/// <summary>
/// Shares operator changes through etcd (--etcd, --cluster). Local changes
/// are applied at once and queued for etcd (the newest value per key: a
/// queue that cannot grow past the keys there are); a writer task puts them,
/// and keeps them queued while etcd is away. A follower task reads the whole
/// prefix (oldest change first), then watches it and applies what others
/// write; after any failure it starts over, so an instance that was cut off
/// catches up. Last write wins, in etcd's revision order.
/// </summary>
internal sealed class ClusterSync : IOperatorChanges, IDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly string _cluster;
    private readonly string _prefix;
    private readonly EtcdGateway _etcd;
    private readonly SharedStateApplier _applier;
    private readonly OutageLog _outage;
    private readonly Log _log;
    private readonly object _sync = new();

    /// <summary>Changes from etcd and changes made here are applied one at a time (see <see cref="IOperatorChanges.Apply"/>).</summary>
    private readonly object _applying = new();

    /// <summary>Changes made here that etcd has not taken yet, newest value per key.</summary>
    private readonly Dictionary<string, string> _pending = new();

    /// <summary>The revision of this instance's last put per key: older events for the key are stale echoes.</summary>
    private readonly Dictionary<string, long> _written = new();

    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task _writer = Task.CompletedTask;
    private Task _follower = Task.CompletedTask;

    public ClusterSync(IReadOnlyList<Uri> endpoints, string cluster, RoutingTable table, Log log, TimeProvider clock)
    {
        _cluster = cluster;
        _prefix = ClusterKeys.Prefix(cluster);
        _etcd = new EtcdGateway(endpoints);
        _applier = new SharedStateApplier(table);
        _log = log;
        _outage = new OutageLog(log, clock);
    }

    /// <summary>Reads the shared state before the listener opens (bounded), then follows it.</summary>
    public static ClusterSync Start(IReadOnlyList<Uri> endpoints, string cluster, RoutingTable table, Log log, TimeProvider clock)
    {
        var sync = new ClusterSync(endpoints, cluster, table, log, clock);
        long revision = 0;
        try
        {
            revision = sync.CatchUpAsync().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            sync._outage.Failed($"etcd: cannot read the shared state ({e.Message}); serving with the command line's channels");
        }

        log.Debug($"etcd: cluster {cluster} at revision {revision}");
        sync._follower = Task.Run(() => sync.FollowAsync(revision));
        sync._writer = Task.Run(sync.WriteAsync);
        return sync;
    }

    public ControlResult Apply(OperatorChange change, Func<ControlResult> local)
    {
        ControlResult result;
        lock (_applying)
        {
            lock (_sync)
            {
                _pending[ClusterKeys.Key(_cluster, change)] = change.Value;
            }

            result = local();
        }

        _wake.Release();
        return result;
    }

    public void Changed(OperatorChange change)
    {
        lock (_sync)
        {
            _pending[ClusterKeys.Key(_cluster, change)] = change.Value;
        }

        _wake.Release();
    }

    /// <summary>Reads every key (oldest change first) and applies it; returns the revision to watch from.</summary>
    private async Task<long> CatchUpAsync()
    {
        (long revision, List<EtcdKeyValue> values) = await _etcd.RangeAsync(_prefix, _stop.Token).ConfigureAwait(false);
        values.Sort((a, b) => a.ModRevision.CompareTo(b.ModRevision));
        Apply(values);
        _outage.Recovered("etcd: reachable again, shared state read");
        return revision;
    }

    private async Task FollowAsync(long revision)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (revision == 0)
                {
                    revision = await CatchUpAsync().ConfigureAwait(false);
                }

                await _etcd.WatchAsync(_prefix, revision + 1, Apply, () => { }, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _outage.Failed($"etcd: {e.Message}; serving with the state as it is, changes made here are queued");
                _etcd.MoveOn();
            }

            revision = 0; // whatever ended the watch, read everything again before the next
            try
            {
                await Task.Delay(Retry, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Apply(List<EtcdKeyValue> values)
    {
        foreach (EtcdKeyValue kv in values)
        {
            lock (_applying)
            {
                ApplyOne(kv);
            }
        }
    }

    private void ApplyOne(EtcdKeyValue kv)
    {
        lock (_sync)
        {
            // A change made here and not yet written, or written later, is newer than this one.
            if (_pending.ContainsKey(kv.Key) || (_written.TryGetValue(kv.Key, out long mine) && kv.ModRevision < mine))
            {
                _log.Debug($"etcd: {kv.Key} = {kv.Value} (revision {kv.ModRevision}) is older than the change made here");
                return;
            }
        }

        _log.Debug($"etcd: {kv.Key} = {kv.Value} (revision {kv.ModRevision})");
        if (!kv.Deleted && ClusterKeys.TryParse(_cluster, kv.Key, kv.Value, out OperatorChange change))
        {
            _applier.Apply(change);
        }
    }

    private async Task WriteAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                bool queued;
                lock (_sync)
                {
                    queued = _pending.Count > 0;
                }

                // Changes left over from a failed round are tried again each second until etcd takes them.
                _ = await _wake.WaitAsync(queued ? Retry : Timeout.InfiniteTimeSpan, _stop.Token).ConfigureAwait(false);
                KeyValuePair<string, string>[] batch;
                lock (_sync)
                {
                    batch = _pending.ToArray();
                }

                foreach ((string key, string value) in batch)
                {
                    long revision = await _etcd.PutAsync(key, value, _stop.Token).ConfigureAwait(false);
                    lock (_sync)
                    {
                        _written[key] = revision;
                        if (_pending.TryGetValue(key, out string? now) && now == value)
                        {
                            _ = _pending.Remove(key);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _outage.Failed($"etcd: {e.Message}; changes made here are queued");
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            Task.WaitAll([_writer, _follower], TimeSpan.FromSeconds(3));
        }
        catch (AggregateException)
        {
        }

        _etcd.Dispose();
    }
}
