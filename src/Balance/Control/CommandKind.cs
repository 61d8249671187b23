namespace Balance.Control;

/// <summary>The shell's commands, plus an empty line and anything it cannot parse.</summary>
internal enum CommandKind
{
    Empty,
    SyntaxError,
    Quit,
    Show,
    Help,
    Kill,
    Disable,
    Group,
    Reset,
    Enable,
    Create,
    Assign,
    Maxc,
    MrtgBytes,
    MrtgConns,
    Version,
    Hash,
    RoundRobin,
    Weight,
    LeastConnections,
}
