namespace Balance.Health;

internal enum CheckVerdict
{
    Passed,
    Failed,

    /// <summary>This machine could not run the check (out of descriptors): it says nothing about the channel.</summary>
    NotRun,
}

/// <summary>How one active check ended, and in words (<c>show json</c>'s lastCheck, the DOWN line's reason).</summary>
internal readonly record struct CheckResult(CheckVerdict Verdict, string Text)
{
    public static readonly CheckResult Pass = new(CheckVerdict.Passed, "passed");

    public static CheckResult Fail(string text) => new(CheckVerdict.Failed, text);

    public static CheckResult NotRun(string text) => new(CheckVerdict.NotRun, text);
}
