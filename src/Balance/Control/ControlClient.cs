using Balance.CommandLine;

namespace Balance.Control;

/// <summary>The -i shell and -c command against a running instance.</summary>
internal static class ControlClient
{
    public static int Run(Options options)
    {
        Action<string> trace = options.Debug ? message => Console.Error.WriteLine($"balance: {message}") : _ => { };
        string name = ControlSocketName.For(options.ListenPort, options.BindAddress);
        IReadOnlyList<string> directories = RunDirectory.FromEnvironment().SearchPath();
        trace($"looking for {name} in {string.Join(", ", directories)}");

        ControlLocator.Found found = ControlLocator.Locate(directories, name, trace);
        if (found.Status != ConnectStatus.Ready)
        {
            return ControlShell.ReportUnavailable(found.Status, found.Path, Console.Out, Console.Error);
        }

        var shell = new ControlShell(
            new SocketTransport(found.Path, trace),
            found.Pid,
            Console.Out,
            Console.Error,
            ProcessWatch.WaitForExit);
        return options.Mode == Mode.Interactive
            ? shell.RunInteractive(Console.In)
            : shell.RunCommand(options.ControlCommand ?? "");
    }
}
