using System.Globalization;
using System.Text.RegularExpressions;

namespace Balance.Tests.Observability;

/// <summary>One sample line of a scrape: the metric name, its labels and the value.</summary>
internal sealed record ScrapedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string this[string label] => Labels[label];
}

/// <summary>
/// Reads a scrape in the text exposition format back, checking its shape as
/// it goes: every family has exactly one HELP and one TYPE before its samples,
/// and a family's lines are contiguous.
/// </summary>
internal static partial class Exposition
{
    public static IReadOnlyList<ScrapedSample> Parse(string text, out IReadOnlyDictionary<string, string> types)
    {
        var samples = new List<ScrapedSample>();
        var typeOf = new Dictionary<string, string>();
        var helped = new HashSet<string>();
        var finished = new HashSet<string>();
        string? current = null;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', 4);
                string family = parts[2];
                if (family != current)
                {
                    Assert.True(current is null || finished.Add(current), $"family {current} appears twice");
                    Assert.DoesNotContain(family, finished);
                    current = family;
                }

                if (parts[1] == "HELP")
                {
                    Assert.True(helped.Add(family), $"a second HELP for {family}");
                }
                else
                {
                    Assert.True(typeOf.TryAdd(family, parts[3]), $"a second TYPE for {family}");
                }

                continue;
            }

            Match m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a sample line: {line}");
            string name = m.Groups["name"].Value;
            Assert.NotNull(current);
            Assert.True(name == current || (name.StartsWith(current, StringComparison.Ordinal) && typeOf[current] == "histogram"),
                $"sample {name} outside its family (now in {current})");
            var labels = new Dictionary<string, string>();
            foreach (Match label in LabelPair().Matches(m.Groups["labels"].Value))
            {
                labels.Add(label.Groups[1].Value, Regex.Unescape(label.Groups[2].Value));
            }

            string value = m.Groups["value"].Value;
            samples.Add(new ScrapedSample(name, labels, value == "+Inf" ? double.PositiveInfinity : double.Parse(value, CultureInfo.InvariantCulture)));
        }

        Assert.Equal(typeOf.Keys.Order(), helped.Order());
        types = typeOf;
        return samples;
    }

    public static IReadOnlyList<ScrapedSample> Parse(string text) => Parse(text, out _);

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static double Value(this IReadOnlyList<ScrapedSample> samples, string name, params (string Label, string Value)[] labels) =>
        samples.Single(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out string? v) && v == l.Value)).Value;

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
