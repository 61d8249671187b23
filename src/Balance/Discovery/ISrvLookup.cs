namespace Balance.Discovery;

/// <summary>Looks up one SRV name and the addresses of its targets (a seam: tests answer without DNS).</summary>
internal interface ISrvLookup
{
    /// <summary>Never throws for what DNS answers: a failure or a malformed answer is an <see cref="SrvAnswer"/> with its error.</summary>
    Task<SrvAnswer> LookupAsync(string name, CancellationToken cancellation);
}
