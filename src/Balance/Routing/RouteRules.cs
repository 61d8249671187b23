namespace Balance.Routing;

/// <summary>The command line's routing switches: -H and -a.</summary>
internal readonly record struct RouteRules(bool HashFailover, bool AutoDisable);
