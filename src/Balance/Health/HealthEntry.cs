using System.Net;
using Balance.Routing;

namespace Balance.Health;

/// <summary>
/// One channel as health checks see it: where it is checked, its verdict so
/// far, its slot in the schedule, the check running now, and the failed
/// client connects relay threads reported since the monitor last looked.
/// Everything but those reports belongs to the monitor's thread.
/// </summary>
internal sealed class HealthEntry
{
    private int _clientReports;
    private int _clientFailures;
    private int _clientOutcome;
    private long _clientTookTicks;

    public HealthEntry(int group, int index, Channel channel, int slot, RiseFall verdict)
    {
        Group = group;
        Index = index;
        Channel = channel;
        EndPoint = channel.EndPoint;
        Slot = slot;
        Verdict = verdict;
    }

    public int Group { get; }

    public int Index { get; }

    public Channel Channel { get; }

    /// <summary>The address checks go to: the channel's, until <c>assign</c> moves it.</summary>
    public IPEndPoint EndPoint { get; private set; }

    /// <summary>The schedule's slot (and the runner's) for this channel.</summary>
    public int Slot { get; }

    public RiseFall Verdict { get; }

    /// <summary>The address the running check went to; null while none runs.</summary>
    public IPEndPoint? Checking { get; set; }

    /// <summary>When the running check started (clock timestamp).</summary>
    public long StartedAt { get; set; }

    /// <summary>-a had the channel out when the running check started: a pass then counts towards ending that.</summary>
    public bool StartedAutoDisabled { get; set; }

    /// <summary>Checks passed in a row that started while -a had the channel out.</summary>
    public int Recovery { get; set; }

    public string? LastCheck { get; set; }

    public double? LastCheckMilliseconds { get; set; }

    public DateTimeOffset? LastChange { get; set; }

    public HealthDetails Details => new(Verdict.Successes, Verdict.Failures, LastCheck, LastCheckMilliseconds, LastChange);

    /// <summary>The channel now goes to <paramref name="endPoint"/> (<c>assign</c>): what was known is void.</summary>
    public void StartOver(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
        Verdict.Reset();
        Recovery = 0;
        LastCheck = null;
        LastCheckMilliseconds = null;
        LastChange = null;
        _ = TakeClientReports(out _, out _, out _);
    }

    /// <summary>
    /// A client's connect failed (relay threads): <paramref name="counts"/>
    /// says whether it counts as a failed check. Lock-free; the monitor takes
    /// the reports on its own thread.
    /// </summary>
    public void ReportClientFailure(ConnectOutcome outcome, bool counts, TimeSpan took)
    {
        Volatile.Write(ref _clientOutcome, (int)outcome);
        Interlocked.Exchange(ref _clientTookTicks, took.Ticks);
        if (counts)
        {
            Interlocked.Increment(ref _clientFailures);
        }

        Interlocked.Increment(ref _clientReports);
    }

    /// <summary>
    /// The reports since the last call: how many (0: none), how many count as
    /// failed checks, the last one's outcome and connect time.
    /// </summary>
    public int TakeClientReports(out int failures, out ConnectOutcome outcome, out TimeSpan took)
    {
        int reports = Interlocked.Exchange(ref _clientReports, 0);
        failures = Interlocked.Exchange(ref _clientFailures, 0);
        outcome = (ConnectOutcome)Volatile.Read(ref _clientOutcome);
        took = TimeSpan.FromTicks(Interlocked.Read(ref _clientTookTicks));
        return reports;
    }
}
