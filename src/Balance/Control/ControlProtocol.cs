using System.Globalization;

namespace Balance.Control;

/// <summary>How the instance answers the greeting.</summary>
internal enum GreetingKind
{
    Invalid,
    Ready,
    Denied,
    Busy,
}

/// <summary>
/// The wire format between shell and instance, one command per connection:
/// <code>
/// instance: balance-control 1 PID      (or "balance-control denied" / "busy", then close)
/// shell:    GROUP COMMAND-LINE
/// instance: ok|quit|kill GROUP [DRAIN]  then the command's output until it closes
///           (DRAIN, after kill only: seconds the instance lets relays in flight finish)
/// </code>
/// Lines end with \n; a request longer than <see cref="MaxLineBytes"/> is a syntax error.
/// </summary>
internal static class ControlProtocol
{
    public const int MaxLineBytes = 4096;
    private const string Prefix = "balance-control ";
    private const string ProtocolVersion = "1";

    public const string DeniedGreeting = Prefix + "denied\n";
    public const string BusyGreeting = Prefix + "busy\n";

    public static string Greeting(int pid) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{ProtocolVersion} {pid}\n");

    public static GreetingKind ParseGreeting(string? line, out int pid)
    {
        pid = 0;
        if (line is null || !line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return GreetingKind.Invalid;
        }

        string rest = line[Prefix.Length..];
        if (rest == "denied")
        {
            return GreetingKind.Denied;
        }

        if (rest == "busy")
        {
            return GreetingKind.Busy;
        }

        string[] parts = rest.Split(' ');
        return parts.Length == 2 && parts[0] == ProtocolVersion
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            ? GreetingKind.Ready
            : GreetingKind.Invalid;
    }

    public static string Request(int group, string line) =>
        string.Create(CultureInfo.InvariantCulture, $"{group} {line.Replace('\n', ' ')}\n");

    public static bool TryParseRequest(string line, out int group, out string command)
    {
        int space = line.IndexOf(' ');
        command = space < 0 ? "" : line[(space + 1)..];
        string number = space < 0 ? line : line[..space];
        return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out group)
            && Routing.RoutingTable.IsValidGroup(group);
    }

    public static string ReplyHeader(ControlReply reply)
    {
        string action = reply.Action switch
        {
            ReplyAction.Quit => "quit",
            ReplyAction.Kill => "kill",
            _ => "ok",
        };
        return reply.Action == ReplyAction.Kill && reply.DrainSeconds > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{action} {reply.Group} {reply.DrainSeconds}\n")
            : string.Create(CultureInfo.InvariantCulture, $"{action} {reply.Group}\n");
    }

    public static bool TryParseReplyHeader(string? line, out ReplyAction action, out int group) =>
        TryParseReplyHeader(line, out action, out group, out _);

    public static bool TryParseReplyHeader(string? line, out ReplyAction action, out int group, out int drainSeconds)
    {
        action = ReplyAction.None;
        group = 0;
        drainSeconds = 0;
        string[] parts = line?.Split(' ') ?? Array.Empty<string>();
        if (parts.Length is not (2 or 3) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out group))
        {
            return false;
        }

        if (parts.Length == 3 && (parts[0] != "kill" || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out drainSeconds)))
        {
            return false;
        }

        switch (parts[0])
        {
            case "ok":
                return true;
            case "quit":
                action = ReplyAction.Quit;
                return true;
            case "kill":
                action = ReplyAction.Kill;
                return true;
            default:
                return false;
        }
    }
}
