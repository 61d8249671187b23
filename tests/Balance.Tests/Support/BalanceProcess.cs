using System.Diagnostics;
using System.Text;

namespace Balance.Tests.Support;

/// <summary>
/// The real balance binary, started by a test and stopped by its own pid.
/// BALANCE_BIN selects another build (the native AOT binary in CI).
/// </summary>
internal sealed class BalanceProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private BalanceProcess(Process process)
    {
        _process = process;
    }

    public static string BinaryPath =>
        Environment.GetEnvironmentVariable("BALANCE_BIN") is { Length: > 0 } bin
            ? bin
            : Path.Combine(AppContext.BaseDirectory, "balance");

    /// <summary>
    /// True for the native (ahead-of-time compiled) binary; false for the
    /// JIT-compiled build of the test run, an apphost next to balance.dll.
    /// </summary>
    public static bool IsNative => !File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(BinaryPath))!, "balance.dll"));

    public int Pid => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts balance and returns once it accepts connections on the port.</summary>
    public static Task<BalanceProcess> StartProxyAsync(int port, params string[] args) =>
        StartProxyAsync(port, null, args);

    public static async Task<BalanceProcess> StartProxyAsync(int port, IDictionary<string, string>? environment, params string[] args)
    {
        var started = Start(args, environment);
        await started.WaitListeningAsync(port);
        return started;
    }

    /// <summary>
    /// Starts balance through a launcher that execs it, such as
    /// <c>prlimit --nofile=N:N --</c>, so the process (and its pid) is balance's.
    /// </summary>
    public static async Task<BalanceProcess> StartProxyThroughAsync(int port, IReadOnlyList<string> launcher, IDictionary<string, string>? environment, params string[] args)
    {
        var started = Start(args, environment, launcher);
        await started.WaitListeningAsync(port);
        return started;
    }

    public static BalanceProcess Start(params string[] args) => Start(args, null);

    public static BalanceProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment, IReadOnlyList<string>? launcher = null)
    {
        var info = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (launcher is { Count: > 0 })
        {
            foreach (string arg in launcher.Skip(1))
            {
                info.ArgumentList.Add(arg);
            }

            info.ArgumentList.Add(BinaryPath);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("BALANCE_DAEMON_CHILD");
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var result = new BalanceProcess(process);
        process.OutputDataReceived += (_, e) => Append(result._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(result._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs balance to completion (bad input, background start) and returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var run = Start(args);
        run._process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await run._process.WaitForExitAsync(timeout.Token);
        run._process.WaitForExit();
        return (run._process.ExitCode, run.Stdout, run.Stderr);
    }

    public async Task WaitListeningAsync(int port)
    {
        await Poll.UntilAsync(
            () => HasExited || Ports.IsListening(port),
            StartTimeout,
            $"balance to listen on port {port}");
        if (HasExited)
        {
            throw new InvalidOperationException($"balance exited with {ExitCode}: {Stderr}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Signal(int signal) => Posix.Kill(_process.Id, signal);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }
}

/// <summary>A fact that needs the native binary (BALANCE_BIN); skipped with the reason under the JIT-compiled build.</summary>
internal sealed class NativeBinaryFactAttribute : FactAttribute
{
    public NativeBinaryFactAttribute()
    {
        if (!BalanceProcess.IsNative)
        {
            Skip = "needs the native binary: set BALANCE_BIN to the published balance (the JIT-compiled runtime cannot start threads without descriptors)";
        }
    }
}
