using System.Globalization;

namespace Balance.Control;

/// <summary>
/// Parses a shell line as the original did: the first word may be any prefix
/// of a command name, the first match in the original's order wins; arguments
/// are separated by blanks or tabs and extra ones are ignored.
/// </summary>
internal static class CommandParser
{
    /// <summary>
    /// The original's matching order: "h" is help, "e" enable, "m" maxc, "r"
    /// reset. Commands the original did not have come after its own, so every
    /// abbreviation keeps its meaning: "w" is weight, "l" leastconn.
    /// </summary>
    private static readonly (string Name, CommandKind Kind)[] Names =
    {
        ("quit", CommandKind.Quit),
        ("show", CommandKind.Show),
        ("help", CommandKind.Help),
        ("?", CommandKind.Help),
        ("kill", CommandKind.Kill),
        ("disable", CommandKind.Disable),
        ("group", CommandKind.Group),
        ("reset", CommandKind.Reset),
        ("enable", CommandKind.Enable),
        ("create", CommandKind.Create),
        ("assign", CommandKind.Assign),
        ("maxc", CommandKind.Maxc),
        ("mrtg-bytes", CommandKind.MrtgBytes),
        ("mrtg-conns", CommandKind.MrtgConns),
        ("version", CommandKind.Version),
        ("hash", CommandKind.Hash),
        ("rr", CommandKind.RoundRobin),
        ("weight", CommandKind.Weight),
        ("leastconn", CommandKind.LeastConnections),
    };

    private static readonly char[] Blanks = { ' ', '\t', '\r', '\n' };

    /// <summary>The argument of <c>show</c> that asks for JSON instead of the table.</summary>
    public const string JsonArgument = "json";

    public static ControlCommand Parse(string line)
    {
        string[] words = line.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return new ControlCommand(CommandKind.Empty);
        }

        CommandKind kind = Match(words[0]);
        ReadOnlySpan<string> args = words.AsSpan(1);
        return kind switch
        {
            CommandKind.Show => new ControlCommand(kind, Json: args.Length > 0 && args[0] == JsonArgument),
            CommandKind.Disable or CommandKind.Enable or CommandKind.Reset or CommandKind.Group => OneNumber(kind, args),
            CommandKind.Maxc or CommandKind.MrtgBytes or CommandKind.MrtgConns or CommandKind.Weight => TwoNumbers(kind, args),
            CommandKind.Create => args.Length >= 2 ? new ControlCommand(kind, Host: args[0], Port: args[1]) : ControlCommand.SyntaxError,
            CommandKind.Assign => Assign(args),
            _ => new ControlCommand(kind),
        };
    }

    public static CommandKind Match(string word)
    {
        foreach (var (name, kind) in Names)
        {
            if (name.StartsWith(word, StringComparison.Ordinal))
            {
                return kind;
            }
        }

        return CommandKind.SyntaxError;
    }

    private static ControlCommand OneNumber(CommandKind kind, ReadOnlySpan<string> args) =>
        args.Length >= 1 && TryNumber(args[0], out long n) ? new ControlCommand(kind, First: n) : ControlCommand.SyntaxError;

    private static ControlCommand TwoNumbers(CommandKind kind, ReadOnlySpan<string> args) =>
        args.Length >= 2 && TryNumber(args[0], out long a) && TryNumber(args[1], out long b)
            ? new ControlCommand(kind, First: a, Second: b)
            : ControlCommand.SyntaxError;

    private static ControlCommand Assign(ReadOnlySpan<string> args) =>
        args.Length >= 3 && TryNumber(args[0], out long channel)
            ? new ControlCommand(CommandKind.Assign, First: channel, Host: args[1], Port: args[2])
            : ControlCommand.SyntaxError;

    /// <summary>A decimal integer with an optional sign; anything else is a syntax error (atoi would read 0).</summary>
    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
