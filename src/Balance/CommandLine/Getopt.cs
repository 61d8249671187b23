namespace Balance.CommandLine;

/// <summary>
/// getopt(3)-style scanning of short options as glibc does it: bundles
/// (<c>-fp</c>), attached or separate arguments (<c>-t3</c>, <c>-t 3</c>),
/// options anywhere before <c>--</c>, and positionals kept in order.
/// </summary>
internal static class Getopt
{
    public readonly record struct Option(char Letter, string? Argument);

    /// <param name="spec">Option letters, a letter followed by ':' takes an argument.</param>
    public static (List<Option> Options, List<string> Positionals) Scan(IReadOnlyList<string> args, string spec)
    {
        var options = new List<Option>();
        var positionals = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                positionals.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                positionals.Add(arg);
                continue;
            }

            for (int j = 1; j < arg.Length; j++)
            {
                char letter = arg[j];
                int at = spec.IndexOf(letter);
                if (at < 0 || letter == ':')
                {
                    throw new BalanceException($"balance: invalid option -- '{letter}'", ExitCodes.Usage, showUsage: true);
                }

                bool takesArgument = at + 1 < spec.Length && spec[at + 1] == ':';
                if (!takesArgument)
                {
                    options.Add(new Option(letter, null));
                    continue;
                }

                string value;
                if (j + 1 < arg.Length)
                {
                    value = arg[(j + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new BalanceException($"balance: option requires an argument -- '{letter}'", ExitCodes.Usage, showUsage: true);
                }

                options.Add(new Option(letter, value));
                break;
            }
        }

        return (options, positionals);
    }
}
