using System.Net.Sockets;

namespace Balance.Control;

/// <summary>
/// The listening control socket and the file it owns. A socket left behind by
/// a dead instance is replaced; a live one, or anything that is not a socket
/// (a planted symlink), stops the start. At the end the file is removed only
/// if it is still this instance's.
/// </summary>
internal sealed class ControlSocketFile : IDisposable
{
    private const uint OwnerOnlyUmask = 0x7F; // 0o177: the socket is created 0600
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly FileStat _identity;
    private int _disposed;

    private ControlSocketFile(string path, Socket listener, FileStat identity)
    {
        Path = path;
        Listener = listener;
        _identity = identity;
    }

    public string Path { get; }

    public Socket Listener { get; }

    public static ControlSocketFile Create(string path)
    {
        RemoveIfStale(path);
        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentException)
        {
            throw new BalanceException($"balance: control socket path too long: {path}", ExitCodes.OsError);
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // umask is per process; at start-up nothing else creates files, and this
            // closes the window a chmod after bind would leave open.
            uint previous = ControlNative.umask(OwnerOnlyUmask);
            try
            {
                socket.Bind(endPoint);
            }
            finally
            {
                ControlNative.umask(previous);
            }

            socket.Listen(64);
            if (!FileStat.TryLStat(path, out FileStat identity, out _) || !identity.IsSocket)
            {
                throw new BalanceException($"balance: control socket {path} vanished after bind", ExitCodes.OsError);
            }

            return new ControlSocketFile(path, socket, identity);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new BalanceException($"balance: cannot create control socket {path}: {e.Message}", ExitCodes.OsError);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void RemoveIfStale(string path)
    {
        if (!FileStat.TryLStat(path, out FileStat stat, out int errno))
        {
            if (errno == ControlNative.ENoEnt)
            {
                return;
            }

            throw new BalanceException($"balance: cannot check control socket {path} (errno {errno})", ExitCodes.OsError);
        }

        if (!stat.IsSocket)
        {
            throw new BalanceException(
                $"balance: {path} exists and is not a socket, remove it to start", ExitCodes.OsError);
        }

        switch (Probe(path))
        {
            case SocketError.ConnectionRefused:
                File.Delete(path); // unlink(2): removes the entry, never what it might point to
                return;
            case SocketError.Success:
                throw new BalanceException(
                    $"balance: another instance is already controlled through {path}", ExitCodes.OsError);
            case SocketError error:
                throw new BalanceException(
                    $"balance: cannot replace control socket {path}: {error}", ExitCodes.OsError);
        }
    }

    /// <summary>Connects once: refused means nobody listens there any more.</summary>
    private static SocketError Probe(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            probe.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token).AsTask().GetAwaiter().GetResult();
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
        catch (OperationCanceledException)
        {
            // Its backlog is full: something is alive there.
            return SocketError.Success;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Listener.Dispose();
        if (FileStat.TryLStat(Path, out FileStat now, out _) && now.IsSocket && now.SameFileAs(_identity))
        {
            try
            {
                File.Delete(Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing left to do at exit; the next start replaces a stale socket.
            }
        }
    }
}
