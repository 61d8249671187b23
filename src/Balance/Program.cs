using Balance;
using Balance.CommandLine;
using Balance.Hosting;

return Entry.Run(args);

namespace Balance
{
    /// <summary>Parses the command line, picks the mode, and maps every failure to one line and a sysexits code.</summary>
    internal static class Entry
    {
        public static int Run(string[] args)
        {
            try
            {
                Options options = CommandLineParser.Parse(args);
                return options.Mode switch
                {
                    Mode.Help => PrintHelp(),
                    Mode.Version => PrintVersion(),
                    Mode.Interactive or Mode.Command => Control.ControlClient.Run(options),
                    _ => ProxyHost.Run(options, args),
                };
            }
            catch (BalanceException e)
            {
                Console.Error.WriteLine(e.Message);
                if (e.ShowUsage)
                {
                    Console.Error.Write(UsageText.Build());
                }

                return e.ExitCode;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"balance: internal error: {e.Message}");
                return ExitCodes.Software;
            }
        }

        private static int PrintHelp()
        {
            Console.Out.Write(UsageText.Build());
            return ExitCodes.Ok;
        }

        private static int PrintVersion()
        {
            Console.Out.WriteLine($"balance {Balance.Version.Text}");
            return ExitCodes.Ok;
        }
    }
}
