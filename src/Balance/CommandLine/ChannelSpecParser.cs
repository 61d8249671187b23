using System.Globalization;
using Balance.Routing;

namespace Balance.CommandLine;

/// <summary>
/// Parses <c>host[:port[:maxc[:weight]]]</c>; an empty or missing port is the
/// listen port, an empty maxc 0 (no limit), an empty weight 1; IPv6 literals
/// are bracketed: <c>[::1]:8080:4:2</c>.
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
        else if (text.Count(c => c == ':') >= 3 && System.Net.IPAddress.TryParse(text, out _))
        {
            throw Invalid(text); // an IPv6 literal without brackets, not host:port:maxc:weight
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
        if (parts.Length > 3)
        {
            throw Invalid(text);
        }

        int port = parts.Length == 0 || parts[0].Length == 0
            ? listenPort
            : PortParser.Parse(parts[0], servicesFile);
        int maxConnections = parts.Length >= 2 && parts[1].Length > 0 ? ParseMaxConnections(parts[1]) : 0;
        int weight = parts.Length == 3 && parts[2].Length > 0 ? ParseWeight(parts[2]) : Channel.MinWeight;
        return new ChannelSpec(host, port, maxConnections, weight);
    }

    private static int ParseWeight(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            && value is >= Channel.MinWeight and <= Channel.MaxWeight)
        {
            return value;
        }

        throw new BalanceException($"invalid weight [{text}], {Channel.MinWeight} to {Channel.MaxWeight} expected, exiting.", ExitCodes.Usage);
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
