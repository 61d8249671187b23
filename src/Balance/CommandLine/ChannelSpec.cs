namespace Balance.CommandLine;

/// <summary>One channel as written on the command line, before name resolution.</summary>
internal readonly record struct ChannelSpec(string Host, int Port, int MaxConnections, int Weight = Routing.Channel.MinWeight);
