namespace Balance.Cluster;

/// <summary>The rules of --etcd and --cluster.</summary>
internal static class ClusterOptions
{
    /// <summary>--etcd URL[,URL...]: http endpoints of etcd's gateway, tried in turn.</summary>
    public static IReadOnlyList<Uri> ParseEndpoints(string text)
    {
        var endpoints = new List<Uri>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp
                || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            {
                throw new BalanceException($"balance: invalid etcd endpoint [{part}], http://host:port expected", ExitCodes.Usage);
            }

            endpoints.Add(uri);
        }

        return endpoints;
    }

    /// <summary>--cluster NAME: letters, digits, '.', '-' and '_', at most 64; it is part of every key.</summary>
    public static string ParseName(string text)
    {
        if (text.Length is 0 or > 64 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new BalanceException($"balance: invalid cluster name [{text}], 1 to 64 of A-Z a-z 0-9 . - _ expected", ExitCodes.Usage);
        }

        return text;
    }

    /// <summary>One without the other is a usage error.</summary>
    public static void Check(CommandLine.Options options)
    {
        if ((options.EtcdEndpoints.Count > 0) != (options.ClusterName is not null))
        {
            throw new BalanceException("balance: --etcd and --cluster go together", ExitCodes.Usage, showUsage: true);
        }
    }
}
