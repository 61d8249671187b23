using System.Net;
using Balance.Routing;
using Balance.Routing.Policies;

namespace Balance.Tests.Routing.Policies;

/// <summary>The properties of the lookup table hash groups use: spread, weights, order independence, few slots moved.</summary>
public sealed class MaglevTableTests
{
    private static MaglevMember Member(int index, int weight = 1) =>
        new(index, StableHash.OfChannel(new IPEndPoint(new IPAddress([10, 0, (byte)(index >> 8), (byte)index]), 8080), 0), weight);

    private static MaglevMember[] Members(int count) => Enumerable.Range(0, count).Select(i => Member(i)).ToArray();

    private static int[] SlotCounts(MaglevTable table, int channels)
    {
        var counts = new int[channels];
        for (int slot = 0; slot < table.Size; slot++)
        {
            counts[table.ChannelAt(slot)]++;
        }

        return counts;
    }

    /// <summary>The key in each slot: what two tables must agree on, whatever index they gave the channels.</summary>
    private static ulong[] KeysBySlot(MaglevTable table, MaglevMember[] members)
    {
        var keys = new ulong[table.Size];
        for (int slot = 0; slot < table.Size; slot++)
        {
            keys[slot] = members.Single(m => m.Index == table.ChannelAt(slot)).Key;
        }

        return keys;
    }

    [Fact]
    public void The_table_has_a_prime_number_of_slots_65537_by_default()
    {
        Assert.Equal(65537, MaglevTable.Build(Members(3)).Size);
        Assert.Equal(65537, MaglevTable.DefaultSize);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(256)]
    public void Equal_weights_share_the_slots_within_one_slot(int channels)
    {
        int[] counts = SlotCounts(MaglevTable.Build(Members(channels)), channels);
        Assert.True(counts.Max() - counts.Min() <= 1, $"slots per channel from {counts.Min()} to {counts.Max()}");
    }

    [Fact]
    public void Weights_share_the_slots_in_proportion()
    {
        MaglevMember[] members = [Member(0, 1), Member(1, 2), Member(2, 3), Member(3, 1000)];
        int[] counts = SlotCounts(MaglevTable.Build(members), 4);
        double total = members.Sum(m => m.Weight);
        for (int i = 0; i < members.Length; i++)
        {
            double expected = members[i].Weight / total * MaglevTable.DefaultSize;
            Assert.InRange(counts[i], expected - 2, expected + 2);
        }
    }

    [Fact]
    public void The_order_the_channels_come_in_changes_nothing()
    {
        MaglevMember[] members = Members(9);
        MaglevTable forward = MaglevTable.Build(members);

        // The same channels, listed backwards and numbered the other way round.
        MaglevMember[] renumbered = members.Reverse().Select((m, i) => m with { Index = i }).ToArray();
        MaglevTable backward = MaglevTable.Build(renumbered);

        Assert.Equal(KeysBySlot(forward, members), KeysBySlot(backward, renumbered));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(32)]
    public void A_channel_added_takes_its_share_and_moves_at_most_1_percent_more(int channels)
    {
        MaglevMember[] before = Members(channels);
        MaglevMember[] after = Members(channels + 1);
        MaglevTable a = MaglevTable.Build(before);
        MaglevTable b = MaglevTable.Build(after);

        int moved = Enumerable.Range(0, a.Size).Count(s => a.ChannelAt(s) != b.ChannelAt(s));
        double share = (double)moved / a.Size;
        Assert.InRange(share, 1.0 / (channels + 1) - 0.001, 1.0 / (channels + 1) + 0.01);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(32)]
    public void A_channel_taken_out_of_the_table_moves_about_1_percent_of_the_others(int channels)
    {
        MaglevMember[] all = Members(channels);
        MaglevMember[] without = all.Where(m => m.Index != 1).ToArray();
        MaglevTable a = MaglevTable.Build(all);
        MaglevTable b = MaglevTable.Build(without);

        int others = 0;
        int othersMoved = 0;
        for (int slot = 0; slot < a.Size; slot++)
        {
            if (a.ChannelAt(slot) != 1)
            {
                others++;
                othersMoved += a.ChannelAt(slot) != b.ChannelAt(slot) ? 1 : 0;
            }
        }

        Assert.True(othersMoved <= others * 0.015, $"{othersMoved} of {others} slots of other channels moved");
    }

    [Fact]
    public void The_table_is_the_same_in_every_process_and_version()
    {
        // Instances behind the same DNS name or ECMP route agree only while these stay fixed:
        // a change here moves clients of every mixed fleet during an upgrade.
        Assert.Equal(0x20E5B0AAE24CD998UL, StableHash.OfChannel(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 8080), 0));
        MaglevTable table = MaglevTable.Build(Members(5));
        Assert.Equal([4, 2, 4, 0, 2], Enumerable.Range(0, 5).Select(i => table.ChannelAt(i * 10000)).ToArray());
    }

    [Fact]
    public void An_empty_or_oversized_set_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MaglevTable.Build([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaglevTable.Build(Members(257)));
    }
}
