using System.Net;
using Balance.CommandLine;
using Balance.Hosting;
using Balance.Routing;
using Balance.Upgrade;

namespace Balance.Tests.Upgrade;

/// <summary>
/// What an old instance's changes become in a successor with another command
/// line: captured against the old command line, sent as a document, applied
/// by the matching rules of docs/upgrade.md.
/// </summary>
public sealed class AdminStateMatcherTests
{
    private static RoutingTable Table(params string[] channels) =>
        RoutingTableBuilder.Build(CommandLineParser.Parse(new[] { "-f", "8080" }.Concat(channels).ToArray()));

    private static IPEndPoint At(string address, int port) => new(IPAddress.Parse(address), port);

    /// <summary>Changes made in <paramref name="old"/> since its start, through the document, applied to <paramref name="successor"/>.</summary>
    private static IReadOnlyList<string> CarryOver(RoutingTable old, AdminStateCapture capture, RoutingTable successor) =>
        AdminStateMatcher.Apply(successor, AdminStateDocument.Read(AdminStateDocument.Write(capture.Changes(old.Snapshot()))));

    private static ChannelStatus Row(RoutingTable table, int group, int channel) => table.Status(group, channel)!.Value;

    [Fact]
    public void AnUnchangedInstanceSendsNothing()
    {
        RoutingTable old = Table("127.0.0.1:81:3", "127.0.0.1:82");
        Assert.Empty(new AdminStateCapture(old.Snapshot()).Changes(old.Snapshot()).Channels);
    }

    [Fact]
    public void OnlyChangedFieldsAreSentAndSet()
    {
        RoutingTable old = Table("127.0.0.1:81:3:2", "127.0.0.1:82:4");
        var capture = new AdminStateCapture(old.Snapshot());
        old.SetEnabled(0, 0, enabled: false);
        old.SetMaxConnections(0, 1, 9);

        ChannelChange[] changes = capture.Changes(old.Snapshot()).Channels.ToArray();
        Assert.Equal(new ChannelChange(0, 0, At("127.0.0.1", 81), Enabled: false), changes[0]);
        Assert.Equal(new ChannelChange(0, 1, At("127.0.0.1", 82), MaxConnections: 9), changes[1]);

        // The new command line changed channel 0's maxc and weight: they stay.
        RoutingTable successor = Table("127.0.0.1:81:30:5", "127.0.0.1:82:40");
        CarryOver(old, capture, successor);
        Assert.False(Row(successor, 0, 0).Enabled);
        Assert.Equal(30, Row(successor, 0, 0).MaxConnections);
        Assert.Equal(5, Row(successor, 0, 0).Weight);
        Assert.True(Row(successor, 0, 1).Enabled);
        Assert.Equal(9, Row(successor, 0, 1).MaxConnections);
    }

    [Fact]
    public void ChannelsAreMatchedByAddressWithinTheirGroupNotByIndex()
    {
        RoutingTable old = Table("127.0.0.1:81", "127.0.0.1:82", "!", "127.0.0.1:82");
        var capture = new AdminStateCapture(old.Snapshot());
        old.SetEnabled(0, 1, enabled: false);

        // A channel put before it moves 127.0.0.1:82 to index 2; group 1's 127.0.0.1:82 is another channel.
        RoutingTable successor = Table("127.0.0.1:80", "127.0.0.1:81", "127.0.0.1:82", "!", "127.0.0.1:82");
        IReadOnlyList<string> notes = CarryOver(old, capture, successor);

        Assert.False(Row(successor, 0, 2).Enabled);
        Assert.True(Row(successor, 0, 0).Enabled);
        Assert.True(Row(successor, 0, 1).Enabled);
        Assert.True(Row(successor, 1, 0).Enabled);
        Assert.Equal("channel 0:1 (127.0.0.1:82): carried over to channel 0:2", Assert.Single(notes));
    }

    [Fact]
    public void ChannelsWithTheSameAddressPairUpInOrder()
    {
        RoutingTable old = Table("127.0.0.1:81", "127.0.0.1:81");
        var capture = new AdminStateCapture(old.Snapshot());
        old.SetEnabled(0, 1, enabled: false);

        RoutingTable successor = Table("127.0.0.1:81", "127.0.0.1:90", "127.0.0.1:81");
        CarryOver(old, capture, successor);

        Assert.True(Row(successor, 0, 0).Enabled);
        Assert.False(Row(successor, 0, 2).Enabled);
    }

    [Fact]
    public void ACreatedChannelIsCreatedAgainInItsGroup()
    {
        RoutingTable old = Table("127.0.0.1:81", "!", "127.0.0.1:91");
        var capture = new AdminStateCapture(old.Snapshot());
        old.Create(1, At("127.0.0.1", 92));
        old.SetMaxConnections(1, 1, 6);
        old.SetEnabled(1, 1, enabled: true);

        RoutingTable successor = Table("127.0.0.1:81", "!", "127.0.0.1:91");
        CarryOver(old, capture, successor);

        ChannelStatus created = Row(successor, 1, 1);
        Assert.Equal(At("127.0.0.1", 92), created.EndPoint);
        Assert.True(created.Enabled);
        Assert.Equal(6, created.MaxConnections);
        Assert.Equal(2, successor.ChannelCount(1));
    }

    [Fact]
    public void ACreatedChannelNowOnTheCommandLineIsNotCreatedTwice()
    {
        RoutingTable old = Table("127.0.0.1:81");
        var capture = new AdminStateCapture(old.Snapshot());
        old.Create(0, At("127.0.0.1", 82));

        RoutingTable successor = Table("127.0.0.1:81", "127.0.0.1:82");
        CarryOver(old, capture, successor);

        Assert.Equal(2, successor.ChannelCount(0));
        Assert.False(Row(successor, 0, 1).Enabled); // as it was: created channels start disabled
    }

    [Fact]
    public void AnAssignedChannelKeepsItsNewAddressUnderTheSameCommandLine()
    {
        RoutingTable old = Table("127.0.0.1:81", "127.0.0.1:82");
        var capture = new AdminStateCapture(old.Snapshot());
        old.SetEnabled(0, 1, enabled: false);
        old.Assign(0, 1, At("127.0.0.1", 83));
        old.SetEnabled(0, 1, enabled: true);

        RoutingTable successor = Table("127.0.0.1:81", "127.0.0.1:82");
        CarryOver(old, capture, successor);

        Assert.Equal(At("127.0.0.1", 83), Row(successor, 0, 1).EndPoint);
        Assert.True(Row(successor, 0, 1).Enabled);
    }

    [Fact]
    public void AnAssignedChannelIsMatchedByItsCurrentAddressFirst()
    {
        RoutingTable old = Table("127.0.0.1:81", "127.0.0.1:82");
        var capture = new AdminStateCapture(old.Snapshot());
        old.SetEnabled(0, 1, enabled: false);
        old.Assign(0, 1, At("127.0.0.1", 83));

        RoutingTable successor = Table("127.0.0.1:81", "127.0.0.1:82", "127.0.0.1:83");
        CarryOver(old, capture, successor);

        Assert.True(Row(successor, 0, 1).Enabled); // 127.0.0.1:82 is left as the command line says
        Assert.False(Row(successor, 0, 2).Enabled);
        Assert.Equal(At("127.0.0.1", 82), Row(successor, 0, 1).EndPoint);
    }

    [Fact]
    public void AChannelGoneFromTheCommandLineIsDropped()
    {
        RoutingTable old = Table("127.0.0.1:81", "127.0.0.1:82");
        var capture = new AdminStateCapture(old.Snapshot());
        old.SetEnabled(0, 1, enabled: false);

        RoutingTable successor = Table("127.0.0.1:81");
        IReadOnlyList<string> notes = CarryOver(old, capture, successor);

        Assert.Equal(1, successor.ChannelCount(0));
        Assert.True(Row(successor, 0, 0).Enabled);
        Assert.Equal("channel 0:1 (127.0.0.1:82): not on the new command line, not carried over", Assert.Single(notes));
    }

    [Fact]
    public void ChangesCarriedOverAreCarriedOnByTheNextTakeover()
    {
        RoutingTable first = Table("127.0.0.1:81", "127.0.0.1:82");
        var firstCapture = new AdminStateCapture(first.Snapshot());
        first.SetEnabled(0, 0, enabled: false);
        first.Create(0, At("127.0.0.1", 84));

        RoutingTable second = Table("127.0.0.1:81", "127.0.0.1:82");
        var secondCapture = new AdminStateCapture(second.Snapshot());
        CarryOver(first, firstCapture, second);

        RoutingTable third = Table("127.0.0.1:81", "127.0.0.1:82");
        CarryOver(second, secondCapture, third);

        Assert.False(Row(third, 0, 0).Enabled);
        Assert.Equal(At("127.0.0.1", 84), Row(third, 0, 2).EndPoint);
        Assert.Equal(3, third.ChannelCount(0));
    }
}
