namespace Balance.Control;

/// <summary>
/// One parsed command line. <see cref="First"/> and <see cref="Second"/> hold
/// the numeric arguments (channel, group, maxc), <see cref="Host"/> and
/// <see cref="Port"/> the address of create and assign.
/// </summary>
internal readonly record struct ControlCommand(
    CommandKind Kind,
    long First = 0,
    long Second = 0,
    string? Host = null,
    string? Port = null,
    bool Json = false)
{
    public static ControlCommand SyntaxError => new(CommandKind.SyntaxError);
}
