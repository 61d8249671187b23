using System.Net;
using Balance.Hosting;
using Balance.Proxy;
using Balance.Proxy.Session;
using Balance.Routing;
using Microsoft.Extensions.Time.Testing;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Proxy.Session;

/// <summary>The one path both engines take from a client to a channel, driven here with a fake clock.</summary>
public sealed class ConnectAttemptTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Recorder _recorder = new();

    private (ConnectAttempt Attempt, SessionContext Context) Start(RoutingTable table, string? source = null)
    {
        table.AddObserver(_recorder);
        var settings = new ProxySettings
        {
            ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 1),
            OutgoingBindAddress = source is null ? null : IPAddress.Parse(source),
        };
        var context = new SessionContext(table, settings, new Log(debug: false), _clock);
        var attempt = new ConnectAttempt(context);
        attempt.Begin(clientHash: 7);
        return (attempt, context);
    }

    [Fact]
    public void A_refused_channel_fails_over_to_the_next_and_both_ends_are_reported_with_their_durations()
    {
        ChannelGroup group = Rr(0, 2);
        var (attempt, _) = Start(new RoutingTable([group]));

        Assert.True(attempt.TryNext(out IPEndPoint first));
        Assert.Equal(PortOf(0, 0), first.Port);
        _clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.True(attempt.Failed(ConnectOutcome.Refused));

        Assert.True(attempt.TryNext(out IPEndPoint second));
        Assert.Equal(PortOf(0, 1), second.Port);
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        attempt.Connected();

        Assert.Equal(["failed 0 Refused 40", "connected 1 250"], _recorder.Lines);
        Assert.Equal((0, 1), (group.Channels[0].Connections, group.Channels[1].Connections));
    }

    [Fact]
    public void The_slot_is_given_back_once_however_often_the_end_is_told()
    {
        ChannelGroup group = Rr(0, 1);
        var (attempt, _) = Start(new RoutingTable([group]));
        Assert.True(attempt.TryNext(out _));
        attempt.Connected();
        Assert.Equal(1, group.Channels[0].Connections);

        attempt.Release();
        attempt.Release();
        attempt.Begin(clientHash: 8);
        Assert.Equal(0, group.Channels[0].Connections);
        Assert.Equal(1, group.Channels[0].TotalConnections);
    }

    [Fact]
    public void A_local_shortage_drops_the_client_without_failover_or_autodisable()
    {
        ChannelGroup group = Rr(0, 2);
        var (attempt, _) = Start(new RoutingTable([group], autoDisable: true));
        Assert.True(attempt.TryNext(out _));

        Assert.False(attempt.Failed(ConnectOutcome.LocalFailure, errno: 24));
        Assert.True(group.Channels[0].Enabled);
        Assert.Equal(0, group.Channels[0].Connections);
        Assert.Equal(0, group.Channels[1].TotalConnections);
        Assert.Empty(_recorder.Lines);
    }

    [Fact]
    public void With_autodisable_a_failed_channel_is_taken_out()
    {
        ChannelGroup group = Rr(0, 2);
        var (attempt, _) = Start(new RoutingTable([group], autoDisable: true));
        Assert.True(attempt.TryNext(out _));
        Assert.True(attempt.Failed(ConnectOutcome.TimedOut));
        Assert.False(group.Channels[0].Enabled);
        Assert.True(group.Channels[0].State.AutoDisabled);
        Assert.True(group.Channels[0].State.OperatorEnabled);
    }

    [Fact]
    public void No_channel_is_taken_once_the_proxy_stops()
    {
        ChannelGroup group = Rr(0, 1);
        var (attempt, context) = Start(new RoutingTable([group]));
        context.Stop();
        Assert.False(attempt.TryNext(out _));
        Assert.Equal(0, group.Channels[0].TotalConnections);
    }

    [Fact]
    public void When_every_channel_fails_the_walk_ends()
    {
        var (attempt, _) = Start(new RoutingTable([Rr(0, 2), Hash(1, 2)]));
        int attempts = 0;
        while (attempt.TryNext(out _))
        {
            attempts++;
            Assert.True(attempt.Failed(ConnectOutcome.Unreachable));
        }

        Assert.Equal(3, attempts); // both of the round-robin group, the hashed one of the hash group (no -H)
    }

    [Fact]
    public void The_source_address_comes_from_B()
    {
        var (attempt, _) = Start(new RoutingTable([Rr(0, 1)]), source: "127.0.0.2");
        Assert.Equal(IPAddress.Parse("127.0.0.2"), attempt.SourceFor(new IPEndPoint(IPAddress.Loopback, 80)));
        Assert.Null(attempt.SourceFor(new IPEndPoint(IPAddress.IPv6Loopback, 80)));
    }

    private sealed class Recorder : IConnectObserver
    {
        public List<string> Lines { get; } = new();

        public void Connected(ChannelLease lease, TimeSpan took) =>
            Lines.Add($"connected {lease.Index} {took.TotalMilliseconds:0}");

        public void Failed(ChannelLease lease, ConnectOutcome outcome, TimeSpan took) =>
            Lines.Add($"failed {lease.Index} {outcome} {took.TotalMilliseconds:0}");
    }
}
