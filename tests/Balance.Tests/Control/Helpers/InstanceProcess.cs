using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Balance.Control;
using Balance.Native;

namespace Balance.Tests.Control.Helpers;

/// <summary>
/// A balance proxy started in the foreground (-f) by a test. Ready once its
/// control socket answers; stopped by its own pid (SIGTERM, then SIGKILL).
/// </summary>
internal sealed class InstanceProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private InstanceProcess(Process process, int port, string socketPath)
    {
        _process = process;
        Port = port;
        SocketPath = socketPath;
    }

    public int Port { get; }

    public string SocketPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>balance -f [extra] PORT channels...</c> and waits until it can be controlled.</summary>
    public static InstanceProcess Start(RunDir runDir, int port, IEnumerable<string> channels, string[]? options = null, string? bind = null, bool asNobody = false)
    {
        var start = new ProcessStartInfo(asNobody ? "setpriv" : ToolRun.BalanceBinary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        if (asNobody)
        {
            foreach (string arg in NobodyUser.SetprivArguments)
            {
                start.ArgumentList.Add(arg);
            }

            start.ArgumentList.Add(ToolRun.BalanceBinary);
        }

        start.ArgumentList.Add("-f");
        foreach (string option in options ?? Array.Empty<string>())
        {
            start.ArgumentList.Add(option);
        }

        if (bind is not null)
        {
            start.ArgumentList.Add("-b");
            start.ArgumentList.Add(bind);
        }

        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (string channel in channels)
        {
            start.ArgumentList.Add(channel);
        }

        foreach (var (key, value) in runDir.Environment)
        {
            start.Environment[key] = value;
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("cannot start balance");
        var instance = new InstanceProcess(process, port, runDir.SocketPath(port, bind));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (instance._stderr)
                {
                    instance._stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            Eventually.True(() => process.HasExited || Answers(instance.SocketPath), "the control socket of the instance");
            if (process.HasExited)
            {
                process.WaitForExit();
                throw new InvalidOperationException($"balance exited with {process.ExitCode}: {instance.Stderr}");
            }
        }
        catch
        {
            instance.Dispose();
            throw;
        }

        return instance;
    }

    /// <summary>True when something accepts on the socket and greets like balance.</summary>
    public static bool Answers(string path)
    {
        if (!SocketFiles.IsSocket(path))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.ReceiveTimeout = 5000;
            socket.Connect(new UnixDomainSocketEndPoint(path));
            var buffer = new byte[64];
            int read = socket.Receive(buffer);
            return ControlProtocol.ParseGreeting(Encoding.ASCII.GetString(buffer, 0, read).TrimEnd('\n'), out _) != GreetingKind.Invalid;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public int ExitCode => _process.ExitCode;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = Libc.Kill(_process.Id, SigTerm);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    _process.Kill();
                    _process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
