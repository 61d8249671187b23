namespace Balance;

/// <summary>The version the usage text, the control shell and <c>version</c> print.</summary>
internal static class Version
{
    public const string Text = "3.60";
}
