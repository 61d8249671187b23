namespace Balance.CommandLine;

/// <summary>
/// A channel argument <c>srv:NAME[:maxc]</c>: the channels are the targets of
/// the DNS SRV record NAME, kept up to date while balance runs.
/// <paramref name="Group"/> is the command-line group the argument stands in:
/// the record's lowest priority goes there, each next priority one group further.
/// </summary>
internal sealed record SrvSpec(string Name, int MaxConnections, int Group)
{
    public const string Prefix = "srv:";

    public static bool Is(string token) => token.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>srv:NAME[:maxc]</c>; a bad name or maxc is an invalid address.</summary>
    public static SrvSpec Parse(string token, int group)
    {
        string rest = token[Prefix.Length..];
        int colon = rest.IndexOf(':');
        string name = (colon < 0 ? rest : rest[..colon]).TrimEnd('.');
        int maxc = 0;
        if (colon >= 0 && rest.Length > colon + 1
            && !int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out maxc))
        {
            throw Invalid(token);
        }

        if (name.Length is 0 or > 253 || name.Split('.').Any(label => label.Length is 0 or > 63)
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw Invalid(token);
        }

        return new SrvSpec(name, maxc, group);
    }

    private static BalanceException Invalid(string token) =>
        new($"unknown or invalid address [{token}]", ExitCodes.DataError);
}
