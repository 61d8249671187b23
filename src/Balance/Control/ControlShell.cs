using System.Text;

namespace Balance.Control;

/// <summary>
/// The shell the user types into (-i) or hands one command (-c). It keeps the
/// current group; the instance does the work. Output goes where the original
/// put it: answers and the fixed messages on stdout, problems on stderr.
/// </summary>
internal sealed class ControlShell
{
    /// <summary>How long kill waits for the instance to be gone, on top of the time it lets relays in flight finish.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly IControlTransport _transport;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly Func<int, TimeSpan, bool> _waitForExit;
    private readonly int _masterPid;
    private int _group;

    /// <param name="waitForExit">Waits for a pid to be gone, at most the time given; false if it is still there.</param>
    public ControlShell(IControlTransport transport, int masterPid, TextWriter output, TextWriter error, Func<int, TimeSpan, bool> waitForExit)
    {
        _transport = transport;
        _masterPid = masterPid;
        _out = output;
        _error = error;
        _waitForExit = waitForExit;
    }

    public int Group => _group;

    /// <summary>-c: one command in group 0, no banner, no prompt.</summary>
    public int RunCommand(string line) => RunLine(line) ?? ExitCodes.Ok;

    /// <summary>-i: banner, then a prompt before every line read; EOF prints a newline.</summary>
    public int RunInteractive(TextReader input)
    {
        _out.Write(ControlTexts.Banner(_masterPid));
        while (true)
        {
            _out.Write(ControlTexts.Prompt(_group));
            _out.Flush();
            string? line = input.ReadLine();
            if (line is null)
            {
                _out.Write('\n');
                _out.Flush();
                return ExitCodes.Ok;
            }

            if (RunLine(line) is int exitCode)
            {
                return exitCode;
            }
        }
    }

    /// <summary>Runs one line; returns an exit code when the shell is done.</summary>
    private int? RunLine(string line)
    {
        ControlCommand command = CommandParser.Parse(line);
        switch (command.Kind)
        {
            case CommandKind.Empty:
                return null;
            case CommandKind.Quit:
                return ExitCodes.Ok;
        }

        if (Encoding.UTF8.GetByteCount(ControlProtocol.Request(_group, line)) > ControlProtocol.MaxLineBytes)
        {
            _out.Write(ControlTexts.SyntaxError);
            return null;
        }

        ControlReply reply;
        try
        {
            reply = _transport.Execute(_group, line);
        }
        catch (ControlUnavailableException e)
        {
            return ReportUnavailable(e.Status, e.SocketPath, _out, _error);
        }

        _out.Write(reply.Text);
        _group = reply.Group;
        _out.Flush();
        return reply.Action switch
        {
            ReplyAction.Quit => ExitCodes.Ok,
            ReplyAction.Kill => AwaitShutdown(TimeSpan.FromSeconds(reply.DrainSeconds)),
            _ => null,
        };
    }

    private int AwaitShutdown(TimeSpan drain)
    {
        if (_waitForExit(_masterPid, drain + ShutdownTimeout))
        {
            _out.WriteLine(ControlTexts.ShutdownComplete);
            return ExitCodes.Ok;
        }

        _out.WriteLine(ControlTexts.ShutdownFailed);
        return ExitCodes.Unavailable;
    }

    /// <summary>The message and exit code for an instance that cannot be reached.</summary>
    public static int ReportUnavailable(ConnectStatus status, string path, TextWriter output, TextWriter error)
    {
        switch (status)
        {
            case ConnectStatus.Denied:
                error.WriteLine($"balance: permission denied on control socket {path}");
                return ExitCodes.NoPermission;
            case ConnectStatus.Busy:
                error.WriteLine($"balance: control socket {path} is busy, try again");
                return ExitCodes.Unavailable;
            default:
                output.WriteLine(ControlTexts.NoMaster);
                return ExitCodes.Unavailable;
        }
    }
}
