using System.Net;
using Balance.Hosting;
using Balance.Routing;

namespace Balance.Health;

/// <summary>
/// The health checks' logic, with no socket and no thread of its own: keeps
/// one <see cref="HealthEntry"/> per channel of the table (following
/// <c>create</c> and <c>assign</c>), starts the checks the schedule says are
/// due through an <see cref="ICheckRunner"/>, turns each result and each
/// client's failed connect into a verdict (<see cref="RiseFall"/>), records it
/// in the routing table and logs changes. Operator state wins: a verdict never
/// touches <c>enable</c>/<c>disable</c>; it only ends a disable -a set, after
/// <c>rise</c> passes of checks started since. Everything runs on one thread
/// (the runner's) except <see cref="ClientFailed"/>, which relay threads call.
/// </summary>
internal sealed class HealthMonitor
{
    private readonly RoutingTable _table;
    private readonly HealthOptions _options;
    private readonly TimeProvider _clock;
    private readonly Log _log;
    private readonly ICheckRunner _runner;
    private readonly CheckSchedule _schedule;
    private readonly List<HealthEntry> _entries = new();
    private readonly List<int> _due = new();

    /// <summary>Read by relay threads without a lock: replaced, never changed, when channels are added.</summary>
    private Dictionary<Channel, HealthEntry> _byChannel = new();
    private int _layoutVersion = -1;
    private int _clientReports;

    public HealthMonitor(RoutingTable table, HealthOptions options, TimeProvider clock, Log log, ICheckRunner runner)
    {
        _table = table;
        _options = options;
        _clock = clock;
        _log = log;
        _runner = runner;
        _schedule = new CheckSchedule(clock, options.IntervalMs);
        table.HealthChecked = true;
        Sync();
    }

    /// <summary>Wakes the runner's thread after a client's failed connect (set by the runner).</summary>
    public Action? Wake { get; set; }

    /// <summary>
    /// Takes in new and reassigned channels and the clients' failed connects
    /// reported since the last call, then starts every check that is due.
    /// </summary>
    public void RunDue()
    {
        Sync();
        if (Interlocked.Exchange(ref _clientReports, 0) != 0)
        {
            TakeClientReports();
        }

        _due.Clear();
        _schedule.TakeDue(_due);
        foreach (int slot in _due)
        {
            HealthEntry entry = _entries[slot];
            entry.Checking = entry.EndPoint;
            entry.StartedAt = _clock.GetTimestamp();
            entry.StartedAutoDisabled = entry.Channel.State.AutoDisabled;
            _runner.StartCheck(entry, entry.EndPoint);
        }
    }

    /// <summary>Milliseconds until the next check is due: 0 now, -1 when none waits (all running).</summary>
    public long MillisecondsToNext() => _schedule.MillisecondsToNext();

    /// <summary>A check <see cref="RunDue"/> started has ended.</summary>
    public void Completed(HealthEntry entry, CheckResult result)
    {
        _schedule.Finished(entry.Slot);
        IPEndPoint? checkedEndPoint = entry.Checking;
        entry.Checking = null;
        if (!ReferenceEquals(checkedEndPoint, entry.EndPoint))
        {
            return; // assign moved the channel while it was checked: its address's checks start over
        }

        if (result.Verdict == CheckVerdict.NotRun)
        {
            entry.LastCheck = result.Text;
            Publish(entry, autoEnable: false);
            return;
        }

        bool passed = result.Verdict == CheckVerdict.Passed;
        entry.Recovery = passed && entry.StartedAutoDisabled ? entry.Recovery + 1 : 0;
        Record(entry, passed, result.Text, _clock.GetElapsedTime(entry.StartedAt).TotalMilliseconds);
    }

    /// <summary>
    /// A client's connect to <paramref name="channel"/> failed (relay threads;
    /// never blocks). Refused, timed out and unreachable count as failed
    /// checks; any failure runs the channel's next check at once.
    /// </summary>
    public void ClientFailed(Channel channel, ConnectOutcome outcome, TimeSpan took)
    {
        if (!Volatile.Read(ref _byChannel).TryGetValue(channel, out HealthEntry? entry))
        {
            return; // created a moment ago: its own first check comes at once anyway
        }

        bool counts = outcome is ConnectOutcome.Refused or ConnectOutcome.TimedOut or ConnectOutcome.Unreachable;
        entry.ReportClientFailure(outcome, counts, took);
        if (Interlocked.Exchange(ref _clientReports, 1) == 0)
        {
            Wake?.Invoke();
        }
    }

    private void TakeClientReports()
    {
        foreach (HealthEntry entry in _entries)
        {
            if (entry.TakeClientReports(out int failures, out ConnectOutcome outcome, out TimeSpan took) == 0)
            {
                continue;
            }

            entry.Recovery = 0; // -a took it out again, or might have: passes count from here
            for (int i = 0; i < failures; i++)
            {
                Record(entry, passed: false, ClientFailureText(outcome), took.TotalMilliseconds);
            }

            _schedule.RunNow(entry.Slot);
        }
    }

    private void Record(HealthEntry entry, bool passed, string text, double milliseconds)
    {
        ChannelHealth from = entry.Verdict.Health;
        bool changed = passed ? entry.Verdict.Passed() : entry.Verdict.Failed();
        entry.LastCheck = text;
        entry.LastCheckMilliseconds = milliseconds;
        if (changed)
        {
            entry.LastChange = _clock.GetUtcNow();
        }

        bool autoEnable = entry.Recovery >= _options.Rise;
        if (!Publish(entry, autoEnable, out bool autoEnabled))
        {
            return;
        }

        if (autoEnable)
        {
            entry.Recovery = 0;
        }

        if (changed)
        {
            HealthLog.Changed(_log, entry, from, text, _options);
        }

        if (autoEnabled)
        {
            HealthLog.AutoEnabled(_log, entry, _options.Rise);
        }
    }

    private bool Publish(HealthEntry entry, bool autoEnable) => Publish(entry, autoEnable, out _);

    private bool Publish(HealthEntry entry, bool autoEnable, out bool autoEnabled) =>
        _table.RecordHealth(entry.Channel, entry.EndPoint, entry.Verdict.Health, entry.Details, autoEnable, out autoEnabled);

    private static string ClientFailureText(ConnectOutcome outcome) => outcome switch
    {
        ConnectOutcome.Refused => "client connect refused",
        ConnectOutcome.TimedOut => "client connect timed out",
        _ => "client connect: host unreachable",
    };

    /// <summary>Follows the table: an entry for every new channel, a fresh start for a reassigned one.</summary>
    private void Sync()
    {
        int version = _table.LayoutVersion;
        if (version == _layoutVersion)
        {
            return;
        }

        _layoutVersion = version;
        var added = new List<(int Group, int Index, Channel Channel)>();
        foreach (var (group, index, channel) in _table.Channels())
        {
            if (!_byChannel.TryGetValue(channel, out HealthEntry? entry))
            {
                added.Add((group, index, channel));
            }
            else if (!ReferenceEquals(entry.EndPoint, channel.EndPoint))
            {
                entry.StartOver(channel.EndPoint);
                _schedule.RunNow(entry.Slot);
            }
        }

        if (added.Count == 0)
        {
            return;
        }

        // The channels of the command line share out the first interval; one added later is checked at once.
        int spread = _entries.Count == 0 ? _schedule.AddSpread(added.Count) : -1;
        var byChannel = new Dictionary<Channel, HealthEntry>(_byChannel);
        for (int i = 0; i < added.Count; i++)
        {
            int slot = spread >= 0 ? spread + i : _schedule.Add();
            var entry = new HealthEntry(added[i].Group, added[i].Index, added[i].Channel, slot, new RiseFall(_options.Rise, _options.Fall));
            _entries.Add(entry);
            byChannel[entry.Channel] = entry;
        }

        Volatile.Write(ref _byChannel, byChannel);
    }
}
