using System.Net.Sockets;
using System.Text;
using Balance.Control;
using Balance.Hosting;

namespace Balance.Upgrade;

/// <summary>
/// The running instance's side of a takeover: hands its listen socket and
/// state document to the successor, and drains once the successor says it is
/// accepting. Until then nothing changes here: a successor that fails or goes
/// away leaves this instance serving as before. One takeover at a time.
/// </summary>
internal sealed class TakeoverResponder
{
    private readonly Func<Socket?> _listener;
    private readonly Func<AdminState> _state;
    private readonly Action _drain;
    private readonly Log _log;
    private int _busy;

    /// <param name="listener">The listen socket, or null once the instance is stopping.</param>
    /// <param name="state">The operator's changes now.</param>
    /// <param name="drain">Stops accepting and lets relays finish, as <c>kill</c> does, without telling systemd "stopping".</param>
    public TakeoverResponder(Func<Socket?> listener, Func<AdminState> state, Action drain, Log log)
    {
        _listener = listener;
        _state = state;
        _drain = drain;
        _log = log;
    }

    public async Task ServeAsync(Socket client, int peerPid, int drainSeconds, CancellationToken cancellation)
    {
        Socket? listener = _listener();
        if (listener is null || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            await SendAsync(client, TakeoverProtocol.Refused(listener is null ? "stopping" : "another takeover is under way"), cancellation).ConfigureAwait(false);
            return;
        }

        bool handedOver = false;
        try
        {
            byte[] document = AdminStateDocument.Write(_state());
            byte[] offer = Encoding.ASCII.GetBytes(TakeoverProtocol.Offer(Environment.ProcessId, document.Length));
            if (!DescriptorPassing.Send((int)client.Handle, (int)listener.Handle, offer, out int errno))
            {
                _log.Error($"takeover: cannot pass the listen socket to pid {peerPid} (errno {errno})");
                return;
            }

            await SendAsync(client, document, cancellation).ConfigureAwait(false);
            var (outcome, line) = await LineReader.ReadAsync(client, ControlProtocol.MaxLineBytes, cancellation).ConfigureAwait(false);
            if (outcome != LineReader.Outcome.Line || line != TakeoverProtocol.Accepting)
            {
                _log.Notice($"takeover by pid {peerPid} abandoned, serving on");
                return;
            }

            // The successor serves from here on: this instance drains even if
            // the last word does not reach it.
            handedOver = true;
            try
            {
                await SendAsync(client, TakeoverProtocol.Draining(drainSeconds), cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }

            _log.Notice($"taken over by pid {peerPid}: draining");
            InheritedListener.ReleaseToSuccessor(listener);
            _drain();
        }
        finally
        {
            if (!handedOver)
            {
                Volatile.Write(ref _busy, 0);
            }
        }
    }

    private static Task SendAsync(Socket client, string text, CancellationToken cancellation) =>
        SendAsync(client, Encoding.ASCII.GetBytes(text), cancellation);

    private static async Task SendAsync(Socket client, byte[] bytes, CancellationToken cancellation)
    {
        ReadOnlyMemory<byte> rest = bytes;
        while (!rest.IsEmpty)
        {
            int sent = await client.SendAsync(rest, SocketFlags.None, cancellation).ConfigureAwait(false);
            rest = rest[sent..];
        }
    }
}
