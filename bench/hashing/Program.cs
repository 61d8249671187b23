using System.Diagnostics;
using System.Globalization;
using System.Net;
using Balance.Routing;
using Balance.Routing.Policies;

// Hash groups simulated on balance's routing code: for N channels, how many
// clients move when one channel is disabled (with -H) or one is added, how
// even the shares are, and what a table rebuild and a lookup cost.
// Usage: dotnet run -c Release --project bench/hashing [-- --clients 1000000]

int clients = args.Length == 2 && args[0] == "--clients" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
uint[] hashes = ClientHashes(clients);
int[] sizes = [2, 3, 4, 5, 8, 10, 16, 24, 32, 48, 64];

Console.WriteLine($"# Hash groups: consistent (Maglev, {MaglevTable.DefaultSize} slots) against modulo");
Console.WriteLine();
Console.WriteLine($"{clients:N0} random IPv4 clients; channels 10.0.0.i:8080; all weights 1; .NET {Environment.Version}, {Environment.ProcessorCount} CPUs.");
Console.WriteLine("Moved: share of all clients that reach another channel afterwards. Ideal when one of N goes: 1/N (its own clients);");
Console.WriteLine("when one is added: 1/(N+1). Max/min share: the most and least loaded channel against the fair share 1/N,");
Console.WriteLine("in table slots (exact) and in the client sample (with its sampling noise).");
Console.WriteLine();
Console.WriteLine("| N | one disabled (-H): moved, modulo / consistent | others moved, modulo / consistent | busiest after, modulo / consistent | one added: moved, modulo / consistent (ideal) | max / min share, consistent: slots; clients | rebuild ms, min (median) |");
Console.WriteLine("|---:|---|---|---|---|---|---:|");
foreach (int n in sizes)
{
    Row(n);
}

Console.WriteLine();
Lookups();
Weighted();

void Row(int n)
{
    var modulo = Scenario.Of(GroupType.ModuloHash, n);
    var consistent = Scenario.Of(GroupType.Hash, n);
    int[] modBefore = modulo.Map(hashes);
    int[] conBefore = consistent.Map(hashes);

    // One channel disabled (the middle one), -H: where do its clients go, and does anyone else move?
    int gone = n / 2;
    int[] modDown = modulo.WithDisabled(gone).Map(hashes);
    int[] conDown = consistent.WithDisabled(gone).Map(hashes);

    // One channel added (and enabled).
    int[] modAdded = Scenario.Of(GroupType.ModuloHash, n + 1).Map(hashes);
    int[] conAdded = Scenario.Of(GroupType.Hash, n + 1).Map(hashes);

    var (max, min) = Shares(conBefore, n);
    var (slotMax, slotMin) = SlotShares(n);
    var (rebuild, rebuildMedian) = RebuildMs(n);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {n} | {Pct(Moved(modBefore, modDown))} / {Pct(Moved(conBefore, conDown))} " +
        $"| {Pct(MovedOthers(modBefore, modDown, gone))} / {Pct(MovedOthers(conBefore, conDown, gone))} " +
        $"| {Busiest(modDown, n - 1):0.00}x / {Busiest(conDown, n - 1):0.00}x " +
        $"| {Pct(Moved(modBefore, modAdded))} / {Pct(Moved(conBefore, conAdded))} ({Pct(1.0 / (n + 1))}) " +
        $"| {slotMax:0.000} / {slotMin:0.000}; {max:0.000} / {min:0.000} | {rebuild:0.00} ({rebuildMedian:0.00}) |"));
}

void Lookups()
{
    Console.WriteLine("## Lookup cost (ns per client, one thread, N = 64, lock not counted; best of 5 passes over the clients)");
    Console.WriteLine();
    var consistent = Scenario.Of(GroupType.Hash, 64);
    var modulo = Scenario.Of(GroupType.ModuloHash, 64);
    var endpoints = Enumerable.Range(0, 64).Select(i => StableHash.OfChannel(Scenario.EndPointOf(i), 0)).ToArray();
    Console.WriteLine("| mapping | ns per lookup |");
    Console.WriteLine("|---|---:|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| modulo | {modulo.NanosPerLookup(hashes):0.0} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| consistent (Maglev table) | {consistent.NanosPerLookup(hashes):0.0} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| rendezvous (highest random weight, for comparison) | {RendezvousNanos(endpoints):0.0} |"));
    Console.WriteLine();
}

void Weighted()
{
    Console.WriteLine("## Weighted shares (consistent)");
    Console.WriteLine();
    Console.WriteLine("| weights | shares of clients |");
    Console.WriteLine("|---|---|");
    foreach (int[] weights in new[] { new[] { 1, 2, 3 }, new[] { 1, 1, 1, 5 }, new[] { 1, 10, 100 } })
    {
        int[] map = Scenario.Of(GroupType.Hash, weights.Length, weights).Map(hashes);
        var counts = new long[weights.Length];
        foreach (int c in map)
        {
            counts[c]++;
        }

        string shares = string.Join(" : ", counts.Select(c => (100.0 * c / map.Length).ToString("0.00", CultureInfo.InvariantCulture) + "%"));
        string ideal = string.Join(" : ", weights.Select(w => (100.0 * w / weights.Sum()).ToString("0.00", CultureInfo.InvariantCulture) + "%"));
        Console.WriteLine($"| {string.Join(":", weights)} | {shares} (ideal {ideal}) |");
    }
}

static (double Max, double Min) SlotShares(int n)
{
    PolicyChannel[] channels = Enumerable.Range(0, n).Select(i => new PolicyChannel(i, Scenario.EndPointOf(i), 1, true)).ToArray();
    MaglevTable table = MaglevTable.Build(ConsistentHashPolicy.MembersOf(channels));
    var map = new int[table.Size];
    for (int slot = 0; slot < table.Size; slot++)
    {
        map[slot] = table.ChannelAt(slot);
    }

    return Shares(map, n);
}

(double Min, double Median) RebuildMs(int n)
{
    PolicyChannel[] channels = Enumerable.Range(0, n).Select(i => new PolicyChannel(i, Scenario.EndPointOf(i), 1, true)).ToArray();
    MaglevMember[] members = ConsistentHashPolicy.MembersOf(channels);
    for (int i = 0; i < 40; i++)
    {
        _ = MaglevTable.Build(members); // past the JIT's first tiers, as the native binary starts
    }

    var times = new List<double>();
    for (int i = 0; i < 15; i++)
    {
        var clock = Stopwatch.StartNew();
        _ = MaglevTable.Build(members);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (times[0], times[times.Count / 2]);
}

double RendezvousNanos(ulong[] keys)
{
    double best = double.MaxValue;
    int sum = 0;
    for (int pass = 0; pass < 5; pass++)
    {
        var clock = Stopwatch.StartNew();
        foreach (uint hash in hashes)
        {
            ulong top = 0;
            int winner = 0;
            for (int i = 0; i < keys.Length; i++)
            {
                ulong score = StableHash.Mix(keys[i] ^ hash);
                if (score > top)
                {
                    top = score;
                    winner = i;
                }
            }

            sum += winner;
        }

        best = Math.Min(best, clock.Elapsed.TotalMilliseconds * 1e6 / hashes.Length);
    }

    GC.KeepAlive(sum);
    return best;
}

static uint[] ClientHashes(int count)
{
    var random = new Random(20261205);
    var result = new uint[count];
    Span<byte> address = stackalloc byte[4];
    for (int i = 0; i < count; i++)
    {
        random.NextBytes(address);
        result[i] = ClientHash.Of(address);
    }

    return result;
}

static double Moved(int[] before, int[] after)
{
    int moved = 0;
    for (int i = 0; i < before.Length; i++)
    {
        moved += before[i] != after[i] ? 1 : 0;
    }

    return (double)moved / before.Length;
}

static double MovedOthers(int[] before, int[] after, int gone)
{
    int moved = 0;
    for (int i = 0; i < before.Length; i++)
    {
        moved += before[i] != gone && before[i] != after[i] ? 1 : 0;
    }

    return (double)moved / before.Length;
}

static (double Max, double Min) Shares(int[] map, int n)
{
    var counts = new long[n];
    foreach (int c in map)
    {
        counts[c]++;
    }

    double fair = (double)map.Length / n;
    return (counts.Max() / fair, counts.Min() / fair);
}

static double Busiest(int[] map, int usable)
{
    var counts = new Dictionary<int, long>();
    foreach (int c in map)
    {
        counts[c] = counts.GetValueOrDefault(c) + 1;
    }

    return counts.Values.Max() / ((double)map.Length / usable);
}

static string Pct(double share) => (100 * share).ToString("0.00", CultureInfo.InvariantCulture) + "%";

/// <summary>One hash group of N channels on a routing table, as balance builds it.</summary>
internal sealed class Scenario
{
    private static readonly RouteRules WithH = new(HashFailover: true, AutoDisable: false);
    private readonly ChannelGroup _group;

    private Scenario(ChannelGroup group)
    {
        _group = group;
    }

    public static IPEndPoint EndPointOf(int i) => new(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), 8080);

    public static Scenario Of(GroupType type, int n, int[]? weights = null)
    {
        var group = new ChannelGroup { Type = type };
        for (int i = 0; i < n; i++)
        {
            group.Channels.Add(new Channel(EndPointOf(i), 0, weight: weights?[i] ?? 1));
        }

        _ = new RoutingTable([group], hashFailover: true, hashType: type); // builds the group's table
        return new Scenario(group);
    }

    public Scenario WithDisabled(int channel)
    {
        _group.Channels[channel].Enabled = false;
        return this;
    }

    public int[] Map(uint[] hashes)
    {
        var map = new int[hashes.Length];
        var cursor = new RouteCursor(0);
        for (int i = 0; i < hashes.Length; i++)
        {
            cursor.Reset(hashes[i]);
            map[i] = _group.Policy.First(_group, cursor, WithH);
        }

        return map;
    }

    public double NanosPerLookup(uint[] hashes)
    {
        var cursor = new RouteCursor(0);
        int sum = 0;
        double best = double.MaxValue;
        for (int pass = 0; pass < 6; pass++)
        {
            var clock = Stopwatch.StartNew();
            foreach (uint hash in hashes)
            {
                cursor.Reset(hash);
                sum += _group.Policy.First(_group, cursor, WithH);
            }

            if (pass > 0)
            {
                best = Math.Min(best, clock.Elapsed.TotalMilliseconds * 1e6 / hashes.Length); // pass 0 warms up
            }
        }

        GC.KeepAlive(sum);
        return best;
    }
}
