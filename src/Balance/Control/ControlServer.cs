using System.Net.Sockets;
using System.Text;
using Balance.Hosting;
using Balance.Routing;
using Balance.Native;

namespace Balance.Control;

/// <summary>
/// Serves the control socket of an instance: checks who connects, reads one
/// command, answers, closes. Everything is asynchronous, every client has a
/// deadline and their number is capped, so a stuck or hostile client can
/// neither hold up the proxy nor other control clients for long.
/// </summary>
internal sealed class ControlServer : IDisposable
{
    public const int DefaultMaxClients = 32;
    public static readonly TimeSpan DefaultClientTimeout = TimeSpan.FromSeconds(30);

    private readonly ControlSocketFile _file;
    private readonly CommandExecutor _executor;
    private readonly Action _shutdown;
    private readonly Log _log;
    private readonly uint _ownerUid;
    private readonly TimeSpan _clientTimeout;
    private readonly int _killDrainSeconds;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CappedAcceptor _acceptor;
    private readonly Upgrade.TakeoverResponder? _takeover;
    private readonly Lock _disposeLock = new();
    private bool _disposed;

    internal ControlServer(
        ControlSocketFile file, CommandExecutor executor, Action shutdown, Log log,
        uint ownerUid, TimeSpan clientTimeout, int maxClients, int killDrainSeconds = 0, Upgrade.TakeoverResponder? takeover = null)
    {
        _takeover = takeover;
        _killDrainSeconds = killDrainSeconds;
        _file = file;
        _executor = executor;
        _shutdown = shutdown;
        _log = log;
        _ownerUid = ownerUid;
        _clientTimeout = clientTimeout;
        _acceptor = new CappedAcceptor(file.Listener, maxClients, ServeAsync, RefuseBusy, _stopping.Token);
    }

    public string Path => _file.Path;

    internal Task AcceptLoop => _acceptor.Loop;

    /// <summary>
    /// Opens the control socket for the instance listening on <paramref name="port"/>
    /// (and <paramref name="bindAddress"/>); <paramref name="shutdown"/> runs on <c>kill</c>,
    /// and gives relays in flight up to <paramref name="drain"/> to finish (the shell waits that long).
    /// <paramref name="takeover"/> answers a successor's takeover request; <paramref name="replaceLive"/>
    /// takes the name over from the instance this one takes over from.
    /// </summary>
    public static ControlServer Start(
        int port, string? bindAddress, RoutingTable table, Action shutdown, Log log, TimeSpan drain,
        IOperatorChanges? shared = null, Upgrade.TakeoverResponder? takeover = null, bool replaceLive = false)
    {
        string directory = RunDirectorySetup.Prepare(RunDirectory.FromEnvironment());
        string path = System.IO.Path.Combine(directory, ControlSocketName.For(port, bindAddress));
        ControlSocketFile file = ControlSocketFile.Create(path, replaceLive);
        log.Debug($"control socket {path}");
        return new ControlServer(
            file, new CommandExecutor(table, shared: shared), shutdown, log, Libc.GetEUid(), DefaultClientTimeout, DefaultMaxClients,
            (int)Math.Ceiling(drain.TotalSeconds), takeover);
    }

    /// <summary>Tells a client over the cap to come back later, without waiting for it.</summary>
    private static void RefuseBusy(Socket client)
    {
        try
        {
            client.Blocking = false;
            client.Send(Encoding.ASCII.GetBytes(ControlProtocol.BusyGreeting));
        }
        catch (SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            deadline.CancelAfter(_clientTimeout);
            CancellationToken token = deadline.Token;

            PeerCredentials peer = PeerCredentials.Of(client);
            if (!PeerCredentials.MayControl(peer.Uid, _ownerUid))
            {
                _log.Notice($"control: refused uid {peer.Uid} (pid {peer.Pid})");
                await SendAsync(client, ControlProtocol.DeniedGreeting, token).ConfigureAwait(false);
                return;
            }

            await SendAsync(client, ControlProtocol.Greeting(Environment.ProcessId), token).ConfigureAwait(false);
            var (outcome, line) = await LineReader.ReadAsync(client, ControlProtocol.MaxLineBytes, token).ConfigureAwait(false);
            if (outcome == LineReader.Outcome.EndOfStream)
            {
                return; // a shell checking that the instance is there
            }

            if (_takeover is not null && outcome == LineReader.Outcome.Line && line == Upgrade.TakeoverProtocol.Request)
            {
                await _takeover.ServeAsync(client, peer.Pid, _killDrainSeconds, token).ConfigureAwait(false);
                return;
            }

            ControlReply reply = outcome == LineReader.Outcome.Line && ControlProtocol.TryParseRequest(line, out int group, out string command)
                ? await _executor.ExecuteAsync(group, command, token).ConfigureAwait(false)
                : new ControlReply(ControlTexts.SyntaxError, 0);
            if (reply.Action == ReplyAction.Kill)
            {
                reply = reply with { DrainSeconds = _killDrainSeconds };
            }

            await SendAsync(client, ControlProtocol.ReplyHeader(reply) + reply.Text, token).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Both);
            if (reply.Action == ReplyAction.Kill)
            {
                _log.Notice("shutting down on kill from the control shell");
                _shutdown();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away, took too long, or the instance is stopping.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task SendAsync(Socket socket, string text, CancellationToken cancellation)
    {
        ReadOnlyMemory<byte> bytes = Encoding.UTF8.GetBytes(text);
        while (!bytes.IsEmpty)
        {
            int sent = await socket.SendAsync(bytes, SocketFlags.None, cancellation).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Stops accepting and removes the socket file (if it is still this instance's).</summary>
    public void Dispose()
    {
        // A signal handler and the host may both get here, on two threads; the
        // second waits for the first, so the host cannot exit with the socket
        // file still in place.
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping.Cancel();
            _file.Dispose();
        }
    }
}
