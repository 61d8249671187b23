namespace Balance;

/// <summary>
/// A failure the user can cause or fix: its message is printed as one line on
/// stderr and the process exits with <see cref="ExitCode"/>. Never a stack trace.
/// </summary>
internal sealed class BalanceException : Exception
{
    public BalanceException(string message, int exitCode, bool showUsage = false)
        : base(message)
    {
        ExitCode = exitCode;
        ShowUsage = showUsage;
    }

    public int ExitCode { get; }

    /// <summary>The usage text follows the message (unknown options, missing port or channels).</summary>
    public bool ShowUsage { get; }
}
