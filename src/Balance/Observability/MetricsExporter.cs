using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Balance.Control;
using Balance.Routing;

namespace Balance.Observability;

/// <summary>
/// Renders <c>/metrics</c>: the per-channel families from one consistent
/// snapshot of the routing table, the connect failures and connect-time
/// histogram, build info and the process families. Each family is written
/// whole (HELP, TYPE, every channel's samples) before the next one starts.
/// </summary>
internal sealed class MetricsExporter
{
    private static readonly byte[] Bucket = "_bucket"u8.ToArray();
    private static readonly byte[] Sum = "_sum"u8.ToArray();
    private static readonly byte[] Count = "_count"u8.ToArray();
    private static readonly byte[][] BucketLabels = ConnectStats.BucketBounds
        .Select(b => Encoding.ASCII.GetBytes($"le=\"{b.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\""))
        .Append("le=\"+Inf\""u8.ToArray())
        .ToArray();

    private static readonly byte[][] ReasonLabels = ConnectStats.FailureReasons
        .Select(r => Encoding.ASCII.GetBytes($"reason=\"{r}\""))
        .ToArray();

    private readonly RoutingTable _table;
    private readonly ConnectMetrics _connects;
    private readonly ProcessMetrics _process = new();
    private readonly IReadOnlyList<ChannelFamily> _families;
    private readonly ChannelLabels _labels = new();
    private readonly List<ChannelStatus> _rows = new();
    private readonly Lock _sync = new();

    public MetricsExporter(RoutingTable table, ConnectMetrics connects, IReadOnlyList<ChannelFamily>? families = null)
    {
        _table = table;
        _connects = connects;
        _families = families ?? ChannelFamily.Standard;
    }

    /// <summary>Writes one scrape. Scrapes run one at a time: they share the row list and the label cache.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var writer = new ExpositionWriter(output);
        lock (_sync)
        {
            _table.Snapshot(_rows);
            foreach (ChannelFamily family in _families)
            {
                writer.Family(family.Name, family.Type, family.Help);
                foreach (ref readonly ChannelStatus row in CollectionsMarshal.AsSpan(_rows))
                {
                    writer.Sample(family.NameBytes, _labels.For(in row), family.Value(row));
                }
            }

            WriteFailures(writer);
            WriteConnectTimes(writer);
        }

        writer.Family("balance_build_info", "gauge", "Always 1; the version of balance in a label.");
        writer.Sample("balance_build_info"u8, BuildInfoLabels, 1);
        _process.Write(writer);
    }

    private static readonly byte[] BuildInfoLabels = Encoding.ASCII.GetBytes("version=\"" + Balance.Version.Text + "\"");

    private void WriteFailures(ExpositionWriter writer)
    {
        const string name = "balance_channel_connect_failures_total";
        ReadOnlySpan<byte> nameBytes = "balance_channel_connect_failures_total"u8;
        writer.Family(name, "counter",
            "Connects to the channel that failed since start, by reason: refused, timeout (-t), unreachable, other.");
        foreach (ref readonly ChannelStatus row in CollectionsMarshal.AsSpan(_rows))
        {
            ConnectStats? stats = _connects.Find(row.Group, row.Index);
            for (int reason = 0; reason < ReasonLabels.Length; reason++)
            {
                writer.Sample(nameBytes, default, _labels.For(in row), ReasonLabels[reason], stats?.Failures(reason) ?? 0);
            }
        }
    }

    private void WriteConnectTimes(ExpositionWriter writer)
    {
        const string name = "balance_channel_connect_duration_seconds";
        ReadOnlySpan<byte> nameBytes = "balance_channel_connect_duration_seconds"u8;
        writer.Family(name, "histogram", "How long successful connects to the channel took, in seconds.");
        Span<long> cumulative = stackalloc long[BucketLabels.Length];
        foreach (ref readonly ChannelStatus row in CollectionsMarshal.AsSpan(_rows))
        {
            ConnectStats? stats = _connects.Find(row.Group, row.Index);
            ReadOnlySpan<byte> labels = _labels.For(in row);
            cumulative.Clear();
            stats?.ReadCumulative(cumulative);
            for (int bucket = 0; bucket < BucketLabels.Length; bucket++)
            {
                writer.Sample(nameBytes, Bucket, labels, BucketLabels[bucket], cumulative[bucket]);
            }

            writer.Sample(nameBytes, Sum, labels, stats?.SumSeconds ?? 0);
            writer.Sample(nameBytes, Count, labels, ReadOnlySpan<byte>.Empty, cumulative[^1]);
        }
    }
}
