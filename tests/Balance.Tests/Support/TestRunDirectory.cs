using System.Runtime.CompilerServices;
using Balance.Control;

namespace Balance.Tests.Support;

/// <summary>
/// Every balance a test starts opens a control socket. Without this, the
/// instances of tests that do not choose a run directory would put theirs in
/// the system's /run/balance (tests run as root in CI) and leave them there
/// when they are killed. So the test process, and through inheritance every
/// balance it starts, gets a run directory of its own, removed at exit.
/// Tests that need their own (RunDir) still set BALANCE_RUNDIR explicitly.
/// </summary>
internal static class TestRunDirectory
{
#pragma warning disable CA2255 // a test assembly is not a library others load: the initializer is wanted here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Isolate()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RunDirectory.OverrideVariable)))
        {
            return;
        }

        string path = Directory.CreateTempSubdirectory("ctltest-run-").FullName;
        Environment.SetEnvironmentVariable(RunDirectory.OverrideVariable, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        };
    }
}
