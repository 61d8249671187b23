using System.Globalization;

namespace Balance.Tests.Control.Helpers;

/// <summary>
/// What tests of whole instances share: a private run directory, one greeting
/// backend, and the instances and processes to stop afterwards (newest first).
/// </summary>
public abstract class InstanceTestBase : IDisposable
{
    private readonly List<IDisposable> _cleanup = new();

    private protected RunDir Dir { get; } = new();

    private protected GreetingBackend Backend { get; } = new("A");

    private protected T Track<T>(T item)
        where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private protected static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        Backend.Dispose();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
