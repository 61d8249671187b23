namespace Balance.Control;

/// <summary>The fixed texts of the shell: help, version and the interactive banner, as the original printed them.</summary>
internal static class ControlTexts
{
    public const string Help =
        "available commands:\n" +
        "  create <host> <port>           creates a channel in the current group\n" +
        "  assign <channel> <host> <port> reassigns a channel in the current group\n" +
        "  disable <channel>              disables specified channel in current group\n" +
        "  enable <channel>               enables channel in current group\n" +
        "  group <group>                  changes current group to <group>\n" +
        "  hash                           sets distribution scheme of current group to Hash\n" +
        "  help                           prints this message\n" +
        "  kill                           kills master process and quits interactive mode\n" +
        "  leastconn                      sets distribution scheme of current group to Least Connections\n" +
        "  maxc <channel> <maxc>          specifies new maxc for channel of current group\n" +
        "  mrtg-bytes <grp> <ch>          print bytes in/out in MRTG format\n" +
        "  mrtg-conns <grp> <ch>          print total connections in MRTG format\n" +
        "  quit                           quit interactive mode\n" +
        "  reset <channel>                reset all counters of channel in current group\n" +
        "  rr                             sets distribution scheme of current group to Round Robin\n" +
        "  show                           show all channels in all groups\n" +
        "  version                        show version id\n" +
        "  weight <channel> <weight>      specifies new weight (1-1000) for channel of current group\n";

    public static string VersionReport() =>
        $"  This is balance {Balance.Version.Text}\n" +
        $"  MAXGROUPS={Routing.Limits.MaxGroups}\n" +
        $"  MAXCHANNELS={Routing.Limits.MaxChannels}\n";

    public static string Banner(int masterPid) =>
        $"\nbalance {Balance.Version.Text} interactive command shell\nPID of master process is {masterPid}\n\n";

    public static string Prompt(int group) => $"balance[{group}] ";

    public const string SyntaxError = "syntax error\n";
    public const string NoMaster = "no master process, exiting.";
    public const string ShutdownComplete = "shutdown complete, exiting.";
    public const string ShutdownFailed = "shutdown failed.";
}
