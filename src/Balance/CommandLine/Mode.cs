namespace Balance.CommandLine;

/// <summary>What this invocation does.</summary>
internal enum Mode
{
    Proxy,
    Interactive,
    Command,
    Help,
    Version,
}
