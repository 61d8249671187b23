namespace Balance;

/// <summary>
/// A failure the user can cause or fix: its message is printed as one line on
/// stderr and the process exits with <see cref="ExitCode"/>. Never a stack trace.
/// </summary>
internal sealed class BalanceException : Exception
{
    public BalanceException(string message, int exitCode, bool showUsage = false)
        : base(OneLine(message))
    {
        ExitCode = exitCode;
        ShowUsage = showUsage;
    }

    public int ExitCode { get; }

    /// <summary>The usage text follows the message (unknown options, missing port or channels).</summary>
    public bool ShowUsage { get; }

    /// <summary>
    /// Messages quote what the user typed (<c>invalid port [X]</c>), which may hold
    /// line breaks or terminal control characters: each becomes '?', as ls(1) shows
    /// unprintable names, so the message stays one harmless line.
    /// </summary>
    private static string OneLine(string message)
    {
        if (!message.Any(IsLineBreakOrControl))
        {
            return message;
        }

        return string.Create(message.Length, message, static (span, text) =>
        {
            for (int i = 0; i < text.Length; i++)
            {
                span[i] = IsLineBreakOrControl(text[i]) ? '?' : text[i];
            }
        });
    }

    private static bool IsLineBreakOrControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
