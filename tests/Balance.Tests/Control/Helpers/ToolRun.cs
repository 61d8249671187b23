using System.Diagnostics;

namespace Balance.Tests.Control.Helpers;

/// <summary>The outcome of a process that ran to its end.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs a command to completion with optional stdin, killing it by its pid if it overruns.</summary>
internal static class ToolRun
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static string BalanceBinary =>
        System.Environment.GetEnvironmentVariable("BALANCE_BIN") is { Length: > 0 } bin
            ? bin
            : Path.Combine(AppContext.BaseDirectory, "balance");

    /// <summary>Runs the balance binary with <paramref name="args"/>.</summary>
    public static ToolResult Balance(RunDir runDir, string? stdin, params string[] args) =>
        Run(BalanceBinary, args, runDir.Environment, stdin);

    public static ToolResult Run(
        string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited before reading everything; its output says why.
        }

        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            process.Kill();
            process.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish; stdout so far: {stdout.Result}");
        }

        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
