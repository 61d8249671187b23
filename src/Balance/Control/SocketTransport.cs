namespace Balance.Control;

/// <summary>
/// A fresh connection per command: an interactive shell left open for hours
/// holds nothing in the instance, and never meets its per-client deadline.
/// </summary>
internal sealed class SocketTransport : IControlTransport
{
    private readonly string _path;
    private readonly Action<string> _trace;

    public SocketTransport(string path, Action<string> trace)
    {
        _path = path;
        _trace = trace;
    }

    public ControlReply Execute(int group, string line)
    {
        ConnectStatus status = ControlConnection.TryOpen(_path, _trace, out ControlConnection? connection);
        if (connection is null)
        {
            throw new ControlUnavailableException(status == ConnectStatus.Ready ? ConnectStatus.Absent : status, _path);
        }

        using (connection)
        {
            try
            {
                return connection.Execute(group, line);
            }
            catch (IOException e)
            {
                _trace($"{_path}: {e.Message}");
                throw new ControlUnavailableException(ConnectStatus.Absent, _path);
            }
        }
    }
}
