using System.Globalization;

namespace Balance.Upgrade;

/// <summary>
/// The takeover conversation on the control socket, after the usual greeting:
/// <code>
/// new: takeover 1
/// old: takeover 1 PID LENGTH        (the listen socket attached, SCM_RIGHTS)
///      LENGTH bytes: the state document (<see cref="AdminStateDocument"/>)
///   or takeover refused REASON       (then close)
/// new: accepting                     (it serves on the socket and owns the control socket name)
/// old: draining SECONDS              (it stops accepting, then closes)
/// </code>
/// An instance older than this answers the request as a bad command line:
/// <c>ok 0</c>, <c>syntax error</c>.
/// </summary>
internal static class TakeoverProtocol
{
    public const string Request = "takeover 1";
    public const string Accepting = "accepting";
    private const string OfferPrefix = "takeover 1 ";
    private const string RefusedPrefix = "takeover refused ";
    private const string DrainingPrefix = "draining ";

    public static string Offer(int pid, int length) => string.Create(CultureInfo.InvariantCulture, $"{OfferPrefix}{pid} {length}\n");

    public static string Refused(string reason) => $"{RefusedPrefix}{reason}\n";

    public static string Draining(int seconds) => string.Create(CultureInfo.InvariantCulture, $"{DrainingPrefix}{seconds}\n");

    public static bool TryParseOffer(string line, out int pid, out int length)
    {
        pid = 0;
        length = 0;
        string[] parts = line.StartsWith(OfferPrefix, StringComparison.Ordinal) ? line[OfferPrefix.Length..].Split(' ') : Array.Empty<string>();
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out length)
            && length <= AdminStateDocument.MaxBytes;
    }

    public static string? RefusalReason(string line) =>
        line.StartsWith(RefusedPrefix, StringComparison.Ordinal) ? line[RefusedPrefix.Length..] : null;

    public static int? DrainSeconds(string line) =>
        line.StartsWith(DrainingPrefix, StringComparison.Ordinal)
        && int.TryParse(line[DrainingPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)
            ? seconds
            : null;

    /// <summary>The first line of an instance that does not know takeover: the reply header of an ordinary command.</summary>
    public static bool IsOrdinaryReply(string line) => Control.ControlProtocol.TryParseReplyHeader(line, out _, out _);
}
