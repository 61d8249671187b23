using Balance.CommandLine;

namespace Balance.Control;

/// <summary>The -i shell and -c command against a running instance.</summary>
internal static class ControlClient
{
    public static int Run(Options options)
    {
        _ = options;
        Console.Out.WriteLine("no master process, exiting.");
        return ExitCodes.Unavailable;
    }
}
