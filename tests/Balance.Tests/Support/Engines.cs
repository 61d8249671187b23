namespace Balance.Tests.Support;

/// <summary>The two relay engines: epoll (the default on Linux) and the portable .NET sockets one.</summary>
internal static class Engines
{
    public const string Epoll = "epoll";
    public const string Sockets = "sockets";

    public static Dictionary<string, string> Environment(string engine) => new() { ["BALANCE_ENGINE"] = engine };
}
