using System.Net;
using System.Text.Json;
using Balance.Control;
using Balance.Health;
using Balance.Hosting;
using Balance.Routing;
using Microsoft.Extensions.Time.Testing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Health;

/// <summary>
/// The health checks' logic on a real routing table, with a fake clock and a
/// stand-in for the TCP check that the test completes: verdicts, passive
/// checks, operator state, the soft -a, create and assign, the log lines.
/// </summary>
public sealed class HealthMonitorTests
{
    private static readonly HealthOptions Options = new() { IntervalMs = 2000, TimeoutMs = 2000, Rise = 2, Fall = 3 };

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeRunner _runner = new();
    private readonly StringWriter _logged = new();

    private HealthMonitor Monitor(RoutingTable table, HealthOptions? options = null) =>
        new(table, options ?? Options, _clock, new Log(debug: false, _logged), _runner);

    private string[] LogLines => _logged.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>One interval on: every check that comes due runs and ends with <paramref name="result"/> for its channel.</summary>
    private void Round(HealthMonitor monitor, Func<int, CheckResult> result)
    {
        for (int step = 0; step < 20; step++)
        {
            monitor.RunDue();
            foreach ((HealthEntry entry, _) in _runner.TakeStarted())
            {
                monitor.Completed(entry, result(entry.Index));
            }

            _clock.Advance(TimeSpan.FromMilliseconds(Options.IntervalMs / 20));
        }
    }

    private static readonly CheckResult Refused = CheckResult.Fail("connection refused");

    /// <summary>Starts what is due; completes every check but channel <paramref name="keep"/>'s with a pass and returns that one (null if it did not start).</summary>
    private (HealthEntry Entry, IPEndPoint Target)? RunDueKeeping(HealthMonitor monitor, int keep)
    {
        monitor.RunDue();
        (HealthEntry Entry, IPEndPoint Target)? kept = null;
        foreach (var started in _runner.TakeStarted())
        {
            if (started.Entry.Index == keep)
            {
                kept = started;
            }
            else
            {
                monitor.Completed(started.Entry, CheckResult.Pass);
            }
        }

        return kept;
    }

    private static int[] Picks(RoutingTable table, int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            ChannelLease lease = table.Next(AnyClient()) ?? throw new InvalidOperationException("no channel");
            lease.Channel.EndConnection();
            return lease.Index;
        }).ToArray();

    [Fact]
    public void Every_channel_is_checked_once_per_interval_spread_over_it()
    {
        var table = new RoutingTable([Rr(0, 4)]);
        HealthMonitor monitor = Monitor(table);

        var startedAt = new List<(int Channel, long Ms)>();
        long start = _clock.Milliseconds();
        for (int ms = 0; ms < 4000; ms += 10)
        {
            monitor.RunDue();
            foreach ((HealthEntry entry, _) in _runner.TakeStarted())
            {
                startedAt.Add((entry.Index, _clock.Milliseconds() - start));
                monitor.Completed(entry, CheckResult.Pass);
            }

            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(
            [(0, 0L), (1, 500L), (2, 1000L), (3, 1500L), (0, 2000L), (1, 2500L), (2, 3000L), (3, 3500L)],
            startedAt);
    }

    [Fact]
    public void A_dead_channel_goes_down_after_fall_failures_and_routing_skips_it()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, _ => CheckResult.Pass);
        Assert.Equal(ChannelHealth.Up, table.Status(0, 1)!.Value.Health);

        Round(monitor, c => c == 1 ? Refused : CheckResult.Pass);
        Round(monitor, c => c == 1 ? Refused : CheckResult.Pass);
        Assert.Equal(ChannelHealth.Up, table.Status(0, 1)!.Value.Health); // two of three
        Assert.Equal([0, 1, 0, 1], Picks(table, 4));

        Round(monitor, c => c == 1 ? Refused : CheckResult.Pass);
        ChannelStatus down = table.Status(0, 1)!.Value;
        Assert.Equal(ChannelHealth.Down, down.Health);
        Assert.True(down.Enabled); // the operator's state is untouched: show prints DWN
        Assert.Equal("DWN", ShowFormatter.StateText(down));
        HealthDetails details = down.Checks!.Value;
        Assert.Equal((0, 3, "connection refused"), (details.Successes, details.Failures, details.LastCheck));
        Assert.NotNull(details.LastChange);
        Assert.Equal([0, 0, 0, 0], Picks(table, 4));
        Assert.Equal(["balance: group 0 channel 1 (127.0.0.1:10001) DOWN: connection refused, 3 of 3 checks failed"], LogLines);
    }

    [Fact]
    public void A_channel_that_comes_back_is_up_after_rise_passes_and_takes_traffic_again()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, c => c == 1 ? Refused : CheckResult.Pass); // the first check decides: down
        Assert.Equal(ChannelHealth.Down, table.Status(0, 1)!.Value.Health);

        Round(monitor, _ => CheckResult.Pass);
        Assert.Equal(ChannelHealth.Down, table.Status(0, 1)!.Value.Health);
        Round(monitor, _ => CheckResult.Pass);
        Assert.Equal(ChannelHealth.Up, table.Status(0, 1)!.Value.Health);
        Assert.Equal([0, 1, 0, 1], Picks(table, 4));
        Assert.Equal(
            [
                "balance: group 0 channel 1 (127.0.0.1:10001) DOWN: connection refused, first check failed",
                "balance: group 0 channel 1 (127.0.0.1:10001) UP: 2 of 2 checks passed",
            ],
            LogLines);
    }

    [Fact]
    public void A_refused_client_counts_as_a_failed_check_and_runs_the_next_check_at_once()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        HealthMonitor monitor = Monitor(table);
        int wakes = 0;
        monitor.Wake = () => wakes++;
        Round(monitor, _ => CheckResult.Pass);
        _clock.Advance(TimeSpan.FromMilliseconds(300)); // mid-interval: channel 1's slot is 700 ms away
        Assert.Null(RunDueKeeping(monitor, keep: 1));

        monitor.ClientFailed(table.Channels()[1].Channel, ConnectOutcome.Refused, TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, wakes);
        monitor.RunDue();

        var started = _runner.TakeStarted();
        Assert.Equal([1], started.Select(s => s.Entry.Index));
        Assert.Equal(1, table.Status(0, 1)!.Value.Checks!.Value.Failures);
        Assert.Equal("client connect refused", table.Status(0, 1)!.Value.Checks!.Value.LastCheck);

        monitor.Completed(started[0].Entry, Refused);
        monitor.ClientFailed(table.Channels()[1].Channel, ConnectOutcome.TimedOut, TimeSpan.FromSeconds(5));
        monitor.RunDue();
        Assert.Equal(ChannelHealth.Down, table.Status(0, 1)!.Value.Health);
        Assert.Equal("client connect timed out", table.Status(0, 1)!.Value.Checks!.Value.LastCheck);
    }

    [Fact]
    public void Another_client_failure_runs_a_check_but_does_not_count()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, _ => CheckResult.Pass);

        monitor.ClientFailed(table.Channels()[0].Channel, ConnectOutcome.Other, TimeSpan.Zero);
        monitor.RunDue();

        Assert.Single(_runner.TakeStarted());
        Assert.Equal(0, table.Status(0, 0)!.Value.Checks!.Value.Failures);
    }

    [Fact]
    public void A_check_this_machine_could_not_run_says_nothing_about_the_channel()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, _ => CheckResult.Pass);
        Round(monitor, _ => CheckResult.NotRun("not checked: too many open files"));

        HealthDetails details = table.Status(0, 0)!.Value.Checks!.Value;
        Assert.Equal((1, 0, "not checked: too many open files"), (details.Successes, details.Failures, details.LastCheck));
        Assert.Equal(ChannelHealth.Up, table.Status(0, 0)!.Value.Health);
    }

    [Fact]
    public void A_disabled_channel_is_still_checked_and_never_enabled_by_good_checks()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        HealthMonitor monitor = Monitor(table);
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 1, enabled: false));

        Round(monitor, c => c == 1 ? Refused : CheckResult.Pass);
        Assert.Equal(ChannelHealth.Down, table.Status(0, 1)!.Value.Health);
        Round(monitor, _ => CheckResult.Pass);
        Round(monitor, _ => CheckResult.Pass);
        Round(monitor, _ => CheckResult.Pass);

        ChannelStatus status = table.Status(0, 1)!.Value;
        Assert.Equal(ChannelHealth.Up, status.Health);
        Assert.False(status.Enabled);
        Assert.Equal("dis", ShowFormatter.StateText(status));
        Assert.Equal([0, 0, 0], Picks(table, 3));
    }

    [Fact]
    public void With_checks_autodisable_ends_after_rise_passes_of_checks_started_since()
    {
        var table = new RoutingTable([Rr(0, 2)], autoDisable: true);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, _ => CheckResult.Pass);

        // A check of channel 1 starts; then a client's connect fails and -a takes the channel out.
        _clock.Advance(TimeSpan.FromMilliseconds(1100));
        var before = RunDueKeeping(monitor, keep: 1)!.Value;
        Assert.Equal([0], Picks(table, 1));
        RouteCursor cursor = AnyClient();
        ChannelLease lease = table.Next(cursor)!.Value;
        Assert.Equal(1, lease.Index);
        Assert.True(table.Failed(cursor, lease, ConnectOutcome.Refused));
        monitor.ClientFailed(lease.Channel, ConnectOutcome.Refused, TimeSpan.Zero);
        Assert.False(table.Status(0, 1)!.Value.Enabled);

        monitor.Completed(before.Entry, CheckResult.Pass); // started before the disable: does not count
        var first = RunDueKeeping(monitor, keep: 1)!.Value; // the client's failure runs a check at once
        monitor.Completed(first.Entry, CheckResult.Pass);
        Assert.False(table.Status(0, 1)!.Value.Enabled);
        Assert.DoesNotContain(LogLines, line => line.Contains("enabled again", StringComparison.Ordinal));

        _clock.Advance(TimeSpan.FromMilliseconds(Options.IntervalMs));
        var second = RunDueKeeping(monitor, keep: 1)!.Value;
        monitor.Completed(second.Entry, CheckResult.Pass);
        Assert.True(table.Status(0, 1)!.Value.Enabled);
        Assert.Equal(ChannelHealth.Up, table.Status(0, 1)!.Value.Health);
        Assert.Equal(["balance: group 0 channel 1 (127.0.0.1:10001) enabled again: 2 good checks in a row since -a disabled it"], LogLines);
        Assert.Equal([0, 1], Picks(table, 2));
    }

    [Fact]
    public void The_operators_disable_is_never_lifted_even_on_an_autodisabled_channel()
    {
        var table = new RoutingTable([Rr(0, 1)], autoDisable: true);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, _ => CheckResult.Pass);
        RouteCursor cursor = AnyClient();
        ChannelLease lease = table.Next(cursor)!.Value;
        table.Failed(cursor, lease, ConnectOutcome.Refused);
        monitor.ClientFailed(lease.Channel, ConnectOutcome.Refused, TimeSpan.Zero);
        table.SetEnabled(0, 0, enabled: false);

        for (int i = 0; i < 4; i++)
        {
            Round(monitor, _ => CheckResult.Pass);
        }

        Assert.False(table.Status(0, 0)!.Value.Enabled);
        Assert.Equal(ControlResult.Done, table.SetEnabled(0, 0, enabled: true));
        Assert.True(table.Status(0, 0)!.Value.Enabled);
    }

    [Fact]
    public void A_created_channel_is_checked_at_once()
    {
        var table = new RoutingTable([Rr(0, 1)]);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, _ => CheckResult.Pass);
        _clock.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal(ControlResult.Done, table.Create(0, new IPEndPoint(IPAddress.Loopback, 10001)));
        Assert.Equal(new HealthDetails(0, 0, null, null, null), table.Status(0, 1)!.Value.Checks);
        var started = RunDueKeeping(monitor, keep: 1)!.Value;
        Assert.Equal((0, 1, 10001), (started.Entry.Group, started.Entry.Index, started.Target.Port));
        monitor.Completed(started.Entry, CheckResult.Pass);
        Assert.Equal(ChannelHealth.Up, table.Status(0, 1)!.Value.Health);
        Assert.False(table.Status(0, 1)!.Value.Enabled); // created channels start disabled, checks or not
    }

    [Fact]
    public void An_assigned_channel_starts_over_and_a_check_of_its_old_address_is_void()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, c => c == 1 ? Refused : CheckResult.Pass);
        Assert.Equal(ChannelHealth.Down, table.Status(0, 1)!.Value.Health);

        _clock.Advance(TimeSpan.FromMilliseconds(1100));
        var old = RunDueKeeping(monitor, keep: 1)!.Value;
        table.SetEnabled(0, 1, enabled: false);
        Assert.Equal(ControlResult.Done, table.Assign(0, 1, new IPEndPoint(IPAddress.Loopback, 10099)));
        Assert.Equal(ChannelHealth.Unknown, table.Status(0, 1)!.Value.Health);

        monitor.Completed(old.Entry, Refused); // the old address's answer
        Assert.Equal(ChannelHealth.Unknown, table.Status(0, 1)!.Value.Health);
        var fresh = RunDueKeeping(monitor, keep: 1)!.Value;
        Assert.Equal(10099, fresh.Target.Port);
        monitor.Completed(fresh.Entry, CheckResult.Pass);
        Assert.Equal(ChannelHealth.Up, table.Status(0, 1)!.Value.Health);
        Assert.Equal(1, table.Status(0, 1)!.Value.Checks!.Value.Successes);
    }

    [Fact]
    public void Show_json_carries_the_health_of_every_channel()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        HealthMonitor monitor = Monitor(table);
        Round(monitor, c => c == 1 ? Refused : CheckResult.Pass);

        using JsonDocument doc = JsonDocument.Parse(ShowJsonFormatter.Format(table.Snapshot(), pid: 1));
        JsonElement[] channels = doc.RootElement.GetProperty("groups")[0].GetProperty("channels").EnumerateArray().ToArray();
        JsonElement up = channels[0].GetProperty("health");
        JsonElement down = channels[1].GetProperty("health");
        Assert.Equal(("up", 1, 0, "passed"), (up.GetProperty("state").GetString(), up.GetProperty("successes").GetInt32(), up.GetProperty("failures").GetInt32(), up.GetProperty("lastCheck").GetString()));
        Assert.Equal(("down", 0, 1, "connection refused"), (down.GetProperty("state").GetString(), down.GetProperty("successes").GetInt32(), down.GetProperty("failures").GetInt32(), down.GetProperty("lastCheck").GetString()));
        Assert.True(down.GetProperty("lastCheckMs").GetDouble() >= 0);
        Assert.EndsWith("Z", down.GetProperty("lastChange").GetString());
    }

    private sealed class FakeRunner : ICheckRunner
    {
        private readonly List<(HealthEntry Entry, IPEndPoint Target)> _started = new();

        public void StartCheck(HealthEntry entry, IPEndPoint target) => _started.Add((entry, target));

        public List<(HealthEntry Entry, IPEndPoint Target)> TakeStarted()
        {
            var started = _started.ToList();
            _started.Clear();
            return started;
        }
    }
}
