using System.Net;
using Balance.Hosting;
using Balance.Proxy;
using Balance.Proxy.Session;
using Balance.Proxy.Sockets;
using Balance.Routing;
using Microsoft.Extensions.Time.Testing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Proxy.Session;

/// <summary>The queue at maxc, engine-neutral: order, overflow, timeout, and who gets a freed slot.</summary>
public sealed class ClientQueueTests
{
    private readonly FakeTimeProvider _clock = new();

    /// <summary>What an engine would be told: the clients granted a slot, in order.</summary>
    private sealed class Waiter(string name, List<string> granted) : ISlotWaiter
    {
        public void SlotGranted() => granted.Add(name);
    }

    private SessionContext Context(RoutingTable table, int length = 10, int timeoutSeconds = 5) =>
        new(table, new ProxySettings
        {
            ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 1),
            QueueLength = length,
            QueueTimeout = TimeSpan.FromSeconds(timeoutSeconds),
        }, new Log(debug: false), _clock);

    /// <summary>A client of <paramref name="context"/> that took a channel; fails if it got none.</summary>
    private static ConnectAttempt Holder(SessionContext context, uint hash = 1)
    {
        var attempt = new ConnectAttempt(context);
        attempt.Begin(hash);
        Assert.True(attempt.TryNext(out _));
        return attempt;
    }

    /// <summary>A client that found every channel full and now waits; fails if it got a channel or was not queued.</summary>
    private static ConnectAttempt Waiting(SessionContext context, string name, List<string> granted, uint hash = 1)
    {
        var attempt = new ConnectAttempt(context);
        attempt.Begin(hash);
        Assert.False(attempt.TryNext(out _));
        Assert.True(attempt.TryWait(new Waiter(name, granted)));
        return attempt;
    }

    [Fact]
    public void Freed_slots_go_to_waiting_clients_first_come_first_served()
    {
        ChannelGroup group = Group(0, GroupType.RoundRobin, 1);
        SessionContext context = Context(new RoutingTable([group]));
        var granted = new List<string>();
        ConnectAttempt holder = Holder(context);
        ConnectAttempt b = Waiting(context, "b", granted);
        ConnectAttempt c = Waiting(context, "c", granted);
        ConnectAttempt d = Waiting(context, "d", granted);
        Assert.Equal(3, context.Queue!.Status.Waiting);

        holder.Release();
        Assert.Equal(["b"], granted);
        Assert.True(b.TryNext(out IPEndPoint target));
        Assert.Equal(PortOf(0, 0), target.Port);
        Assert.Equal(1, group.Channels[0].Connections);

        b.Release();
        Assert.Equal(["b", "c"], granted);
        Assert.True(c.TryNext(out _));
        c.Release();
        Assert.Equal(["b", "c", "d"], granted);
        Assert.Equal(new QueueStatus(0, 10, 3, 0, 0), context.Queue.Status);
        Assert.True(d.TryNext(out _));
    }

    [Fact]
    public void A_newcomer_never_takes_a_slot_a_waiting_client_could_use()
    {
        SessionContext context = Context(new RoutingTable([Group(0, GroupType.RoundRobin, 1)]));
        var granted = new List<string>();
        ConnectAttempt holder = Holder(context);
        _ = Waiting(context, "waiting", granted);
        holder.Release();

        var newcomer = new ConnectAttempt(context);
        newcomer.Begin(2);
        Assert.False(newcomer.TryNext(out _));
        Assert.Equal(["waiting"], granted);
    }

    [Fact]
    public void A_full_queue_turns_newcomers_away_at_once()
    {
        SessionContext context = Context(new RoutingTable([Group(0, GroupType.RoundRobin, 1)]), length: 2);
        var granted = new List<string>();
        _ = Holder(context);
        _ = Waiting(context, "a", granted);
        _ = Waiting(context, "b", granted);

        var late = new ConnectAttempt(context);
        late.Begin(3);
        Assert.False(late.TryNext(out _));
        Assert.False(late.TryWait(new Waiter("late", granted)));
        Assert.Equal(new QueueStatus(2, 2, 0, 0, 1), context.Queue!.Status);
    }

    [Fact]
    public void Only_clients_turned_away_by_full_channels_wait()
    {
        ChannelGroup group = Rr(0, 2);
        group.Channels.ForEach(c => c.Enabled = false);
        SessionContext context = Context(new RoutingTable([group]));
        var attempt = new ConnectAttempt(context);
        attempt.Begin(1);
        Assert.False(attempt.TryNext(out _));
        Assert.False(attempt.TryWait(new Waiter("x", [])));
        Assert.Equal(0, context.Queue!.Status.Waiting);

        var refusedAndFull = Group(0, GroupType.RoundRobin, 0, 1);
        context = Context(new RoutingTable([refusedAndFull]));
        _ = new ConnectAttempt(context);
        var holder = new ConnectAttempt(context);
        holder.Begin(1);
        Assert.True(holder.TryNext(out _)); // channel 0
        Assert.True(holder.Failed(ConnectOutcome.Refused));
        Assert.True(holder.TryNext(out _)); // channel 1, now full
        var client = new ConnectAttempt(context);
        client.Begin(2);
        Assert.True(client.TryNext(out _)); // channel 0 (no limit) refuses
        Assert.True(client.Failed(ConnectOutcome.Refused));
        Assert.False(client.TryNext(out _)); // channel 1 full
        Assert.True(client.TryWait(new Waiter("client", [])));
    }

    [Fact]
    public void Without_a_queue_nobody_waits()
    {
        SessionContext context = Context(new RoutingTable([Group(0, GroupType.RoundRobin, 1)]), length: 0);
        Assert.Null(context.Queue);
        _ = Holder(context);
        var attempt = new ConnectAttempt(context);
        attempt.Begin(2);
        Assert.False(attempt.TryNext(out _));
        Assert.False(attempt.TryWait(new Waiter("x", [])));
    }

    [Fact]
    public async Task A_client_waits_at_most_the_queue_timeout_then_is_closed_and_counted()
    {
        SessionContext context = Context(new RoutingTable([Group(0, GroupType.RoundRobin, 1)]), timeoutSeconds: 3);
        _ = Holder(context);
        var attempt = new ConnectAttempt(context);
        attempt.Begin(2);
        Assert.False(attempt.TryNext(out _));

        Task<bool> wait = SlotWaiter.WaitAsync(attempt, _clock, CancellationToken.None);
        Assert.Equal(_clock.Milliseconds() + 3000, attempt.QueueDeadline);
        _clock.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(new QueueStatus(0, 10, 0, 1, 0), context.Queue!.Status);

        Assert.False(attempt.TryWait(new Waiter("again", []))); // its time is used up: no second wait
    }

    [Fact]
    public async Task A_slot_freed_while_waiting_ends_the_wait_with_the_slot()
    {
        SessionContext context = Context(new RoutingTable([Group(0, GroupType.RoundRobin, 1)]));
        ConnectAttempt holder = Holder(context);
        var attempt = new ConnectAttempt(context);
        attempt.Begin(2);
        Assert.False(attempt.TryNext(out _));
        Task<bool> wait = SlotWaiter.WaitAsync(attempt, _clock, CancellationToken.None);
        holder.Release();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(attempt.LeaveQueue(timedOut: true)); // it is out of the queue already, with its slot
        Assert.True(attempt.TryNext(out _));
        Assert.Equal(new QueueStatus(0, 10, 1, 0, 0), context.Queue!.Status);
    }

    [Fact]
    public void Leaving_the_queue_before_a_slot_comes_frees_the_place()
    {
        SessionContext context = Context(new RoutingTable([Group(0, GroupType.RoundRobin, 1)]));
        var granted = new List<string>();
        ConnectAttempt holder = Holder(context);
        ConnectAttempt gone = Waiting(context, "gone", granted);
        _ = Waiting(context, "next", granted);
        Assert.True(gone.LeaveQueue(timedOut: false));
        Assert.False(gone.LeaveQueue(timedOut: false));
        holder.Release();
        Assert.Equal(["next"], granted);
        Assert.Equal(0, context.Queue!.Status.TimedOut);
    }

    [Fact]
    public void Raising_maxc_or_enabling_a_channel_serves_as_many_as_fit()
    {
        ChannelGroup group = Group(0, GroupType.RoundRobin, 1, 0);
        group.Channels[1].Enabled = false;
        var table = new RoutingTable([group]);
        SessionContext context = Context(table);
        var granted = new List<string>();
        _ = Holder(context);
        _ = Waiting(context, "a", granted);
        _ = Waiting(context, "b", granted);
        _ = Waiting(context, "c", granted);

        table.SetMaxConnections(0, 0, 3);
        Assert.Equal(["a", "b"], granted);
        table.SetEnabled(0, 1, true);
        Assert.Equal(["a", "b", "c"], granted);
        Assert.Equal(1, group.Channels[1].Connections);
    }

    [Fact]
    public void A_hash_client_waits_for_its_own_channel_while_the_next_one_takes_another()
    {
        ChannelGroup group = Group(0, GroupType.Hash, 1, 1);
        SessionContext context = Context(new RoutingTable([group]));
        uint onZero = ClientHash.Of(IPAddress.Parse(ClientFor(0, 2)));
        uint onOne = ClientHash.Of(IPAddress.Parse(ClientFor(1, 2)));
        var granted = new List<string>();
        _ = Holder(context, onZero);
        ConnectAttempt holderOfOne = Holder(context, onOne);
        _ = Waiting(context, "for zero", granted, onZero);
        _ = Waiting(context, "for one", granted, onOne);

        holderOfOne.Release();
        Assert.Equal(["for one"], granted);
        Assert.Equal(1, context.Queue!.Status.Waiting);
    }

    [Fact]
    public void A_stopping_proxy_hands_out_no_more_slots()
    {
        SessionContext context = Context(new RoutingTable([Group(0, GroupType.RoundRobin, 1)]));
        var granted = new List<string>();
        ConnectAttempt holder = Holder(context);
        ConnectAttempt waiting = Waiting(context, "w", granted);
        context.Stop();
        holder.Release();
        Assert.Empty(granted);
        Assert.False(waiting.TryWait(new Waiter("again", granted)));
    }
}
