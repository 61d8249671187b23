namespace Balance.Control;

/// <summary>The instance could not be reached (any more) for a command.</summary>
internal sealed class ControlUnavailableException : Exception
{
    public ControlUnavailableException(ConnectStatus status, string path)
        : base($"{status} {path}")
    {
        Status = status;
        SocketPath = path;
    }

    public ConnectStatus Status { get; }

    public string SocketPath { get; }
}
