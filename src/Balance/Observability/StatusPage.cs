namespace Balance.Observability;

/// <summary>
/// The status page (StatusPage.html, embedded in the binary): one file with
/// its CSS and script inline, so it works with no network beyond balance itself.
/// </summary>
internal static class StatusPage
{
    private const string ResourceName = "Balance.Observability.StatusPage.html";

    public static byte[] Html { get; } = Load();

    private static byte[] Load()
    {
        using Stream stream = typeof(StatusPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the status page {ResourceName} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
