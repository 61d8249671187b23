namespace Balance.Tests.Reliability;

/// <summary>
/// The fault and abuse tests measure descriptors, memory and timing of the
/// real binary, so they run one at a time and after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability";

    /// <summary>Trait for tests that take more than a few seconds; the default run leaves them out.</summary>
    public const string Stress = "Stress";
}
