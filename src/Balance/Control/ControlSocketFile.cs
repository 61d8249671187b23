using System.Net.Sockets;
using System.Runtime.InteropServices;
using Balance.Native;

namespace Balance.Control;

/// <summary>
/// The listening control socket and the file it owns. A socket left behind by
/// a dead instance is replaced; a live one, or anything that is not a socket
/// (a planted symlink), stops the start. At the end the file is removed only
/// if it is still this instance's.
/// </summary>
/// <remarks>
/// The socket is bound under a temporary name and renamed into place: the
/// rename replaces a stale socket atomically, and .NET, which unlinks the
/// name it bound when the socket is disposed, then only unlinks the
/// temporary name and never a successor's socket.
/// </remarks>
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

    /// <summary>
    /// <paramref name="replaceLive"/>: during a takeover the running instance's
    /// live socket is replaced too (atomically: a client connecting meanwhile
    /// reaches one instance or the other), which it then leaves in place.
    /// </summary>
    public static ControlSocketFile Create(string path, bool replaceLive = false)
    {
        CheckNoOtherInstance(path, replaceLive);
        string directory = System.IO.Path.GetDirectoryName(path) ?? "/";
        string temporary = System.IO.Path.Combine(directory, $".balance-{Environment.ProcessId}-{Random.Shared.Next():x8}");
        UnixDomainSocketEndPoint endPoint;
        try
        {
            _ = new UnixDomainSocketEndPoint(path);
            endPoint = new UnixDomainSocketEndPoint(temporary);
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
            uint previous = Libc.Umask(OwnerOnlyUmask);
            try
            {
                socket.Bind(endPoint);
            }
            finally
            {
                Libc.Umask(previous);
            }

            socket.Listen(64);
            if (Libc.Rename(temporary, path) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new BalanceException($"balance: cannot create control socket {path} (errno {errno})", ExitCodes.OsError);
            }

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

    /// <summary>Nothing, or a stale socket, may be at the path; anything else stops the start.</summary>
    private static void CheckNoOtherInstance(string path, bool replaceLive)
    {
        if (!FileStat.TryLStat(path, out FileStat stat, out int errno))
        {
            if (errno == Errno.ENOENT)
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

        if (replaceLive)
        {
            return;
        }

        switch (Probe(path))
        {
            case SocketError.ConnectionRefused:
                return; // stale: the rename replaces it
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
            _ = Libc.Unlink(Path); // at exit there is nothing left to do if this fails
        }
    }
}
