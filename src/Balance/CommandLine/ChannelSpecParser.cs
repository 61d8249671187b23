using System.Globalization;

namespace Balance.CommandLine;

/// <summary>
/// Parses <c>host[:port[:maxc]]</c>; an empty or missing port is the listen
/// port; IPv6 literals are bracketed: <c>[::1]:8080:4</c>.
/// </summary>
internal static class ChannelSpecParser
{
    public static ChannelSpec Parse(string text, int listenPort, string servicesFile = "/etc/services")
    {
        string host;
        string rest;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0 || (close + 1 < text.Length && text[close + 1] != ':'))
            {
                throw Invalid(text);
            }

            host = text[1..close];
            rest = close + 1 < text.Length ? text[(close + 2)..] : string.Empty;
        }
        else
        {
            int colon = text.IndexOf(':');
            host = colon < 0 ? text : text[..colon];
            rest = colon < 0 ? string.Empty : text[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw Invalid(text);
        }

        string[] parts = rest.Length == 0 ? Array.Empty<string>() : rest.Split(':');
        if (parts.Length > 2)
        {
            throw Invalid(text);
        }

        int port = parts.Length == 0 || parts[0].Length == 0
            ? listenPort
            : PortParser.Parse(parts[0], servicesFile);
        int maxConnections = parts.Length == 2 && parts[1].Length > 0 ? ParseMaxConnections(parts[1]) : 0;
        return new ChannelSpec(host, port, maxConnections);
    }

    private static int ParseMaxConnections(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        throw new BalanceException($"invalid maxc [{text}], exiting.", ExitCodes.Usage);
    }

    private static BalanceException Invalid(string text) =>
        new($"unknown or invalid address [{text}]", ExitCodes.DataError);
}
