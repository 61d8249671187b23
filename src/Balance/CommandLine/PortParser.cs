using System.Globalization;

namespace Balance.CommandLine;

/// <summary>A port by number (1-65535) or by its tcp name in /etc/services.</summary>
internal static class PortParser
{
    private const string ServicesFile = "/etc/services";

    public static int Parse(string text, string servicesFile = ServicesFile)
    {
        if (TryParse(text, servicesFile, out int port))
        {
            return port;
        }

        throw new BalanceException($"invalid port [{text}], exiting.", ExitCodes.Usage);
    }

    /// <summary>
    /// All digits: a number; anything else: a service name (names may start
    /// with a digit, e.g. <c>9pfs</c>). On failure <paramref name="port"/> is 0.
    /// </summary>
    public static bool TryParse(string text, string servicesFile, out int port)
    {
        if (text.Length == 0)
        {
            port = 0;
            return false;
        }

        if (text.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return TryLookUpService(text, servicesFile, out port);
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535)
        {
            return true;
        }

        port = 0;
        return false;
    }

    /// <summary>Reads the services database the way getservbyname(3) does for "tcp": name or alias.</summary>
    private static bool TryLookUpService(string name, string servicesFile, out int port)
    {
        port = 0;
        if (!File.Exists(servicesFile))
        {
            return false;
        }

        foreach (string rawLine in File.ReadLines(servicesFile))
        {
            int hash = rawLine.IndexOf('#');
            string line = hash >= 0 ? rawLine[..hash] : rawLine;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            int slash = fields[1].IndexOf('/');
            if (slash < 0 || !fields[1].AsSpan(slash + 1).Equals("tcp", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            bool named = fields[0] == name || fields.AsSpan(2).Contains(name);
            if (named && int.TryParse(fields[1].AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out port)
                && port is >= 1 and <= 65535)
            {
                return true;
            }
        }

        port = 0;
        return false;
    }
}
