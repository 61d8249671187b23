using System.Diagnostics;
using Balance.Native;

namespace Balance.Hosting;

/// <summary>
/// Background mode without fork(2): the command the user typed starts a
/// detached copy of itself and waits until that copy reports "listening" on
/// its stdout, or relays the copy's error message and exit code.
/// </summary>
internal static class Daemon
{
    /// <summary>Set in the environment of the detached copy.</summary>
    public const string ChildMarker = "BALANCE_DAEMON_CHILD";
    private const string ReadyLine = "balance: listening";

    public static bool IsDetachedChild => Environment.GetEnvironmentVariable(ChildMarker) == "1";

    /// <summary>Runs in the user's command: start the copy, wait for its verdict.</summary>
    public static int StartAndWait(IReadOnlyList<string> args)
    {
        string self = Environment.ProcessPath
            ?? throw new BalanceException("cannot find the balance executable to start in the background", ExitCodes.Software);
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "balance.dll"));
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[ChildMarker] = "1";
        using Process child = Process.Start(start)
            ?? throw new BalanceException("cannot start the background process", ExitCodes.OsError);
        child.StandardInput.Close();
        Task<string> errors = child.StandardError.ReadToEndAsync();
        string? line = child.StandardOutput.ReadLine();
        if (line == ReadyLine)
        {
            return ExitCodes.Ok;
        }

        child.WaitForExit();
        Console.Error.Write(errors.GetAwaiter().GetResult());
        return child.ExitCode == 0 ? ExitCodes.Software : child.ExitCode;
    }

    /// <summary>Runs in the copy once it listens: tell the waiting command, then let go of the terminal.</summary>
    public static void ReportReadyAndDetach()
    {
        Console.Out.WriteLine(ReadyLine);
        Console.Out.Flush();
        _ = Libc.SetSid();
        int devNull = Libc.Open("/dev/null", Libc.O_RDWR);
        if (devNull >= 0)
        {
            for (int fd = 0; fd <= 2; fd++)
            {
                _ = Libc.Dup2(devNull, fd);
            }

            if (devNull > 2)
            {
                _ = Libc.Close(devNull);
            }
        }

        Directory.SetCurrentDirectory("/");
    }
}
