using System.Globalization;
using Balance.Health;

namespace Balance.CommandLine;

/// <summary>
/// The options the original did not have, spelled <c>--name VALUE</c> or
/// <c>--name=VALUE</c>, anywhere before <c>--</c>. Each is one row of
/// <see cref="Table"/>: a new option is a row here, a line in the usage text,
/// the man page and the README.
/// </summary>
internal static class LongOptions
{
    /// <summary>One long option; <see cref="Apply"/> gets null for an option that takes no value.</summary>
    private sealed record Definition(string Name, bool TakesValue, Func<Options, string?, Options> Apply);

    private static readonly Definition[] Table =
    {
        new("grace", true, (o, v) => o with { GraceSeconds = WholeSeconds(v!, "grace period") }),
        new("fin-timeout", true, (o, v) => o with { FinTimeoutSeconds = WholeSeconds(v!, "fin timeout") }),
        new("http", true, (o, v) => o with { HttpEndPoint = HttpAddressParser.Parse(v!) }),
        new("check", false, (o, _) => o with { Check = true }),
        new("check-interval", true, (o, v) => o with { CheckIntervalMs = HealthArguments.Milliseconds(v!, "check interval") }),
        new("check-timeout", true, (o, v) => o with { CheckTimeoutMs = HealthArguments.Milliseconds(v!, "check timeout") }),
        new("rise", true, (o, v) => o with { Rise = HealthArguments.Count(v!, "rise") }),
        new("fall", true, (o, v) => o with { Fall = HealthArguments.Count(v!, "fall") }),
        new("check-send", true, (o, v) => o with { CheckSend = CheckEscapes.Decode(v!, "--check-send") }),
        new("check-expect", true, (o, v) => o with { CheckExpect = CheckEscapes.Decode(v!, "--check-expect") }),
        new("queue", true, (o, v) => o with { QueueLength = QueueLength(v!) }),
        new("queue-timeout", true, (o, v) => o with { QueueTimeoutSeconds = PositiveSeconds(v!, "queue timeout") }),
        new("hash-type", true, (o, v) => o with { HashType = HashType(v!) }),
        new("kernel-relay", false, (o, _) => o with { KernelRelay = true }),
        new("resolver", true, (o, v) => o with { Resolver = Discovery.SrvDiscovery.ParseResolver(v!) }),
        new("etcd", true, (o, v) => o with { EtcdEndpoints = Cluster.ClusterOptions.ParseEndpoints(v!) }),
        new("cluster", true, (o, v) => o with { ClusterName = Cluster.ClusterOptions.ParseName(v!) }),
        new("send-proxy", false, (o, _) => o with { SendProxy = 1 }),
        new("send-proxy-v2", false, (o, _) => o with { SendProxy = 2 }),
        new("accept-proxy", false, (o, _) => o with { AcceptProxy = true }),
        new("log-connections", false, (o, _) => o with { LogConnections = true }),
        new("log-format", true, (o, v) => o with { LogFormat = LogFormat(v!) }),
        new("accept-proxy-from", true, (o, v) => o with { AcceptProxyFrom = ProxySources(v!) }),
        new("takeover", false, (o, _) => o with { Takeover = true }),
    };

    /// <summary>
    /// Applies the long option at <paramref name="index"/> (taking its value
    /// from the next argument when not given with '='), and returns the index
    /// of the last argument used. Unknown names are a usage error.
    /// </summary>
    public static int Apply(IReadOnlyList<string> args, int index, ref Options options)
    {
        string arg = args[index];
        int equals = arg.IndexOf('=');
        string name = equals < 0 ? arg[2..] : arg[2..equals];
        Definition? definition = Array.Find(Table, d => d.Name == name)
            ?? throw new BalanceException($"balance: unknown option {arg}", ExitCodes.Usage, showUsage: true);
        string? value = null;
        if (definition.TakesValue)
        {
            value = equals >= 0 ? arg[(equals + 1)..] : index + 1 < args.Count ? args[++index] : string.Empty;
        }
        else if (equals >= 0)
        {
            throw new BalanceException($"balance: option --{name} takes no value", ExitCodes.Usage, showUsage: true);
        }

        options = definition.Apply(options, value);
        return index;
    }

    private static int WholeSeconds(string text, string what)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
        {
            return seconds;
        }

        throw new BalanceException($"balance: invalid {what} [{text}], whole seconds >= 0 expected", ExitCodes.Usage);
    }

    private static int PositiveSeconds(string text, string what)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds >= 1)
        {
            return seconds;
        }

        throw new BalanceException($"balance: invalid {what} [{text}], whole seconds >= 1 expected", ExitCodes.Usage);
    }

    private static int QueueLength(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int length) && length <= Options.MaxQueueLength)
        {
            return length;
        }

        throw new BalanceException($"balance: invalid queue length [{text}], 0 to {Options.MaxQueueLength} expected", ExitCodes.Usage);
    }

    private static Proxy.ProxyProtocol.SourceRanges ProxySources(string text) =>
        Proxy.ProxyProtocol.SourceRanges.Parse(text)
        ?? throw new BalanceException($"balance: invalid --accept-proxy-from [{text}], CIDR[,CIDR...] expected", ExitCodes.Usage);

    private static string LogFormat(string text) => text is "text" or "json"
        ? text
        : throw new BalanceException($"balance: invalid log format [{text}], text or json expected", ExitCodes.Usage);

    private static Routing.GroupType HashType(string text) => text switch
    {
        "consistent" => Routing.GroupType.Hash,
        "modulo" => Routing.GroupType.ModuloHash,
        _ => throw new BalanceException($"balance: invalid hash type [{text}], consistent or modulo expected", ExitCodes.Usage),
    };
}
