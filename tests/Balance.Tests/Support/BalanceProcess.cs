using System.Diagnostics;
using System.Text;
using Balance.Control;

namespace Balance.Tests.Support;

/// <summary>
/// The real balance binary, started by a test and stopped by its own pid
/// (SIGTERM, then SIGKILL). BALANCE_BIN selects another build (the native
/// AOT binary in CI).
/// </summary>
internal sealed class BalanceProcess : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a stop lets balance end on its own after SIGTERM before killing
    /// it: enough to close its listener and control socket, not to wait out
    /// the grace period of relays a test left open.
    /// </summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

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

    /// <summary>The control socket a start waited for (null for <see cref="Start"/>, or without a run directory).</summary>
    public string? ControlSocket { get; private set; }

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts balance (<c>-f ... PORT channels</c>) and returns once it accepts
    /// connections on <paramref name="port"/> and answers on its control socket
    /// (found from BALANCE_RUNDIR, the port and a <c>-b ADDR</c> among the arguments).
    /// <paramref name="environment"/> selects the engine (<see cref="Engines.Environment"/>).
    /// </summary>
    public static Task<BalanceProcess> StartProxyAsync(int port, IDictionary<string, string> environment, params string[] args) =>
        StartProxyThroughAsync(port, Array.Empty<string>(), environment, args);

    /// <summary>
    /// As <see cref="StartProxyAsync"/>, through a launcher that execs balance,
    /// such as <c>prlimit --nofile=N:N --</c>, so the process (and its pid) is balance's.
    /// </summary>
    public static async Task<BalanceProcess> StartProxyThroughAsync(
        int port, IReadOnlyList<string> launcher, IDictionary<string, string> environment, params string[] args)
    {
        return await ReadyAsync(Start(args, environment, launcher), port, environment, args);
    }

    /// <summary>As <see cref="StartProxyAsync"/>, with another balance binary (a copy, another build).</summary>
    public static Task<BalanceProcess> StartProxyWithBinaryAsync(string binary, int port, IDictionary<string, string> environment, params string[] args) =>
        ReadyAsync(Start(args, environment, binary: binary), port, environment, args);

    private static async Task<BalanceProcess> ReadyAsync(BalanceProcess started, int port, IDictionary<string, string> environment, string[] args)
    {
        started.ControlSocket = ControlSocketOf(port, args, environment);
        try
        {
            await started.WaitReadyAsync(port);
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }

        return started;
    }

    /// <summary>Starts balance and returns at once, for a test that watches the start itself.</summary>
    public static BalanceProcess Start(
        IEnumerable<string> args, IDictionary<string, string>? environment = null, IReadOnlyList<string>? launcher = null, string? binary = null)
    {
        var info = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : binary ?? BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
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
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
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
    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>
    /// Runs balance to completion with <paramref name="environment"/> (a run
    /// directory, an engine) and <paramref name="stdin"/>: a control client, a
    /// background start, a start that must fail.
    /// </summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment, string? stdin = null) =>
        ProcessRun.RunAsync(BinaryPath, args, environment, stdin);

    /// <summary>Waits for the exit and returns the exit code; throws when it does not come within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public void Signal(int signal) => Posix.Kill(_process.Id, signal);

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Posix.Kill(_process.Id, Posix.SigTerm);
                if (!await ExitsWithinAsync(StopGrace).ConfigureAwait(false))
                {
                    _process.Kill();
                    await ExitsWithinAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    /// <summary>The control socket balance opens for these arguments, or null when BALANCE_RUNDIR does not say where.</summary>
    private static string? ControlSocketOf(int port, IReadOnlyList<string> args, IDictionary<string, string> environment)
    {
        string? directory = environment.TryGetValue(RunDirectory.OverrideVariable, out string? given)
            ? given
            : Environment.GetEnvironmentVariable(RunDirectory.OverrideVariable);
        if (string.IsNullOrEmpty(directory))
        {
            return null;
        }

        int b = args.ToList().IndexOf("-b");
        string? bind = b >= 0 && b + 1 < args.Count ? args[b + 1] : null;
        return Path.Combine(directory, ControlSocketName.For(port, bind));
    }

    private async Task WaitReadyAsync(int port)
    {
        string? controlSocket = ControlSocket;
        await Poll.UntilAsync(
            async () => HasExited || (TcpTable.IsListening(port) && (controlSocket is null || await RawControlSocket.AnswersAsync(controlSocket, Pid))),
            StartTimeout,
            $"balance to listen on port {port} and answer on {controlSocket ?? "its control socket"}");
        if (HasExited)
        {
            await ExitsWithinAsync(TimeSpan.FromSeconds(5)); // the rest of its output
            throw new InvalidOperationException($"balance exited with {ExitCode}: {Stderr}");
        }
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan timeout)
    {
        try
        {
            await WaitForExitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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
