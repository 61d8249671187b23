namespace Balance.Control;

/// <summary>
/// Finds the instance's control socket along the run directories. A live
/// socket anywhere wins; otherwise a refusal is reported before "not there",
/// so a user without rights learns why rather than that nothing runs.
/// </summary>
internal static class ControlLocator
{
    public readonly record struct Found(ConnectStatus Status, string Path, int Pid);

    public static Found Locate(IEnumerable<string> directories, string socketName, Action<string> trace)
    {
        Found? refused = null;
        string? first = null;
        foreach (string directory in directories)
        {
            string path = System.IO.Path.Combine(directory, socketName);
            first ??= path;
            ConnectStatus status = ControlConnection.TryOpen(path, trace, out ControlConnection? connection);
            using (connection)
            {
                switch (status)
                {
                    case ConnectStatus.Ready:
                        trace($"control socket {path}, master pid {connection!.Pid}");
                        return new Found(status, path, connection.Pid);
                    case ConnectStatus.Denied:
                    case ConnectStatus.Busy:
                        refused ??= new Found(status, path, 0);
                        break;
                }
            }
        }

        return refused ?? new Found(ConnectStatus.Absent, first ?? socketName, 0);
    }
}
