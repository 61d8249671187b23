namespace Balance.Tests.Support;

/// <summary>
/// A second balance binary, as after an upgrade: a copy of the native binary
/// in a directory of its own, or of the JIT build's apphost next to the
/// original (it runs the balance.dll beside it). Removed at the end.
/// </summary>
internal sealed class BinaryCopy : IDisposable
{
    private readonly string? _directory;

    public BinaryCopy()
    {
        string original = System.IO.Path.GetFullPath(BalanceProcess.BinaryPath);
        if (BalanceProcess.IsNative)
        {
            _directory = Directory.CreateTempSubdirectory("balance-copy-").FullName;
            Path = System.IO.Path.Combine(_directory, "balance");
        }
        else
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(original)!, $"balance-copy-{Environment.ProcessId}-{Guid.NewGuid():N}");
        }

        File.Copy(original, Path); // with its mode: executable
    }

    public string Path { get; }

    public void Dispose()
    {
        File.Delete(Path);
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
