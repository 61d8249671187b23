namespace Balance.Hosting;

/// <summary>
/// Where messages go: stderr in the foreground, syslog (ident Balance,
/// facility daemon) in the background. Debug tracing (-d) goes to stderr only.
/// Callers test <see cref="DebugEnabled"/> before formatting a debug line.
/// </summary>
internal sealed class Log
{
    private readonly object _stderrLock = new();

    /// <summary>Written straight to descriptor 2, which works with every descriptor taken (see <see cref="StandardStreams"/>).</summary>
    private readonly TextWriter _stderr;
    private SyslogWriter? _syslog;

    public Log(bool debug)
        : this(debug, StandardStreams.OpenStderr())
    {
    }

    /// <summary>A log writing its foreground lines to <paramref name="stderr"/> (tests read them back).</summary>
    internal Log(bool debug, TextWriter stderr)
    {
        DebugEnabled = debug;
        _stderr = stderr;
    }

    public bool DebugEnabled { get; private set; }

    /// <summary>Switches to syslog once the process is detached from its terminal.</summary>
    public void UseSyslog()
    {
        _syslog = SyslogWriter.TryOpen();
        DebugEnabled = false;
    }

    public void Notice(string message) => Write(SyslogWriter.Notice, message);

    public void Error(string message) => Write(SyslogWriter.Error, message);

    /// <summary>A line of the connection log, as it is (no "balance:" prefix): stderr, or syslog at notice.</summary>
    public void Line(string line)
    {
        if (_syslog is not null)
        {
            _syslog.Send(SyslogWriter.Notice, line);
        }
        else if (!Detached)
        {
            WriteStderr(line);
        }
    }

    public void Debug(string message)
    {
        if (DebugEnabled)
        {
            WriteStderr(message);
        }
    }

    private void Write(int severity, string message)
    {
        if (_syslog is not null)
        {
            _syslog.Send(severity, message);
        }
        else if (!Detached)
        {
            WriteStderr("balance: " + message);
        }
    }

    /// <summary>True once stdio points nowhere: nothing is written to stderr then.</summary>
    public bool Detached { get; set; }

    private void WriteStderr(string line)
    {
        lock (_stderrLock)
        {
            _stderr.WriteLine(line);
        }
    }
}
