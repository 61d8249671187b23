using System.Globalization;
using Balance.Health;
using Balance.Routing;

namespace Balance.CommandLine;

/// <summary>Turns argv into <see cref="Options"/> with the original's rules, messages and exit codes.</summary>
internal static class CommandLineParser
{
    public const string OptionLetters = "ab:B:c:dfHiMpt:T:6";

    public static Options Parse(IReadOnlyList<string> args, string servicesFile = "/etc/services")
    {
        var result = new Options();
        var shortForm = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                shortForm.AddRange(args.Skip(i));
                break;
            }

            switch (arg)
            {
                case "--help" or "-h":
                    return new Options { Mode = Mode.Help };
                case "--version":
                    return new Options { Mode = Mode.Version };
            }

            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                i = LongOptions.Apply(args, i, ref result);
            }
            else
            {
                shortForm.Add(arg);
            }
        }

        var (options, positionals) = Getopt.Scan(shortForm, OptionLetters);
        foreach (Getopt.Option option in options)
        {
            result = Apply(result, option);
        }

        if (result.Mode is Mode.Interactive or Mode.Command)
        {
            if (positionals.Count != 1)
            {
                throw new BalanceException("balance: -i and -c take exactly one argument, the port", ExitCodes.Usage, showUsage: true);
            }

            return result with { ListenPort = PortParser.Parse(positionals[0], servicesFile), Foreground = true };
        }

        if (positionals.Count < 2)
        {
            throw new BalanceException(
                positionals.Count == 0 ? "balance: no port given" : "balance: no channel given",
                ExitCodes.Usage,
                showUsage: true);
        }

        int listenPort = PortParser.Parse(positionals[0], servicesFile);
        result = result with
        {
            ListenPort = listenPort,
            Groups = ParseGroups(positionals.Skip(1), listenPort, servicesFile),
        };
        Cluster.ClusterOptions.Check(result);
        _ = HealthOptions.From(result); // the health options' rules: --check-* without --check is an error
        if (result.LogFormat is not null && !result.LogConnections)
        {
            throw new BalanceException("balance: --log-format needs --log-connections", ExitCodes.Usage);
        }

        if (result.AcceptProxyFrom is not null && !result.AcceptProxy)
        {
            throw new BalanceException("balance: --accept-proxy-from needs --accept-proxy", ExitCodes.Usage);
        }

        return result;
    }

    private static Options Apply(Options o, Getopt.Option option) => option.Letter switch
    {
        'a' => o with { AutoDisable = true },
        'b' => o with { BindAddress = option.Argument },
        'B' => o with { OutgoingBindAddress = option.Argument },
        'c' => o with { Mode = Mode.Command, ControlCommand = option.Argument },
        'd' => o with { Debug = true },
        'f' => o with { Foreground = true },
        'H' => o with { HashFailover = true },
        'i' => o with { Mode = Mode.Interactive },
        'M' => o, // memory-mapped IPC of the original: accepted, nothing to choose here
        'p' => o with { PacketDump = true },
        't' => o with { ConnectTimeoutSeconds = ParseSeconds(option) },
        'T' => o with { IdleTimeoutSeconds = ParseSeconds(option) },
        '6' => o with { ForceIPv6 = true },
        _ => throw new BalanceException($"balance: invalid option -- '{option.Letter}'", ExitCodes.Usage, showUsage: true),
    };

    private static int ParseSeconds(Getopt.Option option)
    {
        if (int.TryParse(option.Argument, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds >= 1)
        {
            return seconds;
        }

        throw new BalanceException(
            $"balance: invalid timeout [{option.Argument}] for -{option.Letter}, whole seconds >= 1 expected",
            ExitCodes.Usage);
    }

    /// <summary>Channels separated into groups by "!" (round robin), "%" (hash) and "@" (least connections).</summary>
    private static List<GroupSpec> ParseGroups(IEnumerable<string> tokens, int listenPort, string servicesFile)
    {
        var groups = new List<GroupSpec>();
        var channels = new List<ChannelSpec>();
        var services = new List<SrvSpec>();
        foreach (string token in tokens)
        {
            if (GroupType.FromSeparator(token) is GroupType type)
            {
                if (channels.Count == 0 && services.Count == 0)
                {
                    throw new BalanceException("balance: no channels in group", ExitCodes.Unavailable);
                }

                AddGroup(groups, type, channels, services);
                channels = new List<ChannelSpec>();
                services = new List<SrvSpec>();
                continue;
            }

            if (SrvSpec.Is(token))
            {
                services.Add(SrvSpec.Parse(token, groups.Count));
                continue;
            }

            if (channels.Count >= Limits.MaxChannels)
            {
                throw new BalanceException("MAXCHANNELS exceeded...", ExitCodes.Usage);
            }

            channels.Add(ChannelSpecParser.Parse(token, listenPort, servicesFile));
        }

        if (channels.Count > 0 || services.Count > 0)
        {
            AddGroup(groups, GroupType.RoundRobin, channels, services);
        }

        return groups;
    }

    private static void AddGroup(List<GroupSpec> groups, GroupType type, List<ChannelSpec> channels, List<SrvSpec> services)
    {
        if (groups.Count >= Limits.MaxGroups)
        {
            throw new BalanceException("balance: too many groups", ExitCodes.Unavailable);
        }

        groups.Add(new GroupSpec(type, channels) { Services = services });
    }
}
