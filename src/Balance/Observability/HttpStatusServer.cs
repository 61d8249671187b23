using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Balance.Hosting;
using Balance.Native;

namespace Balance.Observability;

/// <summary>
/// The small HTTP/1.1 server of <c>--http</c>: GET and HEAD of the
/// <see cref="StatusSite"/> paths, one request per connection. Runs on the
/// thread pool, never on a relay thread; every client is held to
/// <see cref="HttpLimits"/>, so a slow or hostile one costs a bounded buffer
/// for a bounded time and can neither stall relaying nor grow memory.
/// </summary>
internal sealed class HttpStatusServer : IDisposable
{
    /// <summary>After answering, how long unread request bytes are drained so that closing does not reset the answer away.</summary>
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);
    private const int MaxLingerBytes = 64 * 1024;

    private readonly Socket _listener;
    private readonly StatusSite _site;
    private readonly HttpLimits _limits;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _disposeLock = new();
    private readonly CappedAcceptor _acceptor;
    private bool _disposed;

    private HttpStatusServer(Socket listener, StatusSite site, HttpLimits limits)
    {
        _listener = listener;
        _site = site;
        _limits = limits;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptor = new CappedAcceptor(listener, limits.MaxConnections, ServeAsync, RefuseBusy, _stopping.Token);
    }

    public IPEndPoint LocalEndPoint { get; }

    internal Task AcceptLoop => _acceptor.Loop;

    /// <summary>Connections being served now.</summary>
    public int Connections => _acceptor.Active;

    /// <summary>Binds <paramref name="endPoint"/> and starts serving; a bind failure is an OS error (exit 71) naming the address.</summary>
    public static HttpStatusServer Start(IPEndPoint endPoint, StatusSite site, Log log, HttpLimits? limits = null)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            Proxy.ListenerFactory.ReuseAddressOnly(listener);
            listener.Bind(endPoint);
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new BalanceException($"balance: --http: cannot listen on {endPoint}: {Describe(e)}", ExitCodes.OsError);
        }

        var server = new HttpStatusServer(listener, site, limits ?? new HttpLimits());
        log.Debug($"status and metrics on http://{server.LocalEndPoint}/");
        return server;
    }

    private static readonly byte[] Busy = HttpResponse.Error(503);
    private static readonly byte[] TimedOut = HttpResponse.Error(408);

    /// <summary>Over the cap: a 503 if the socket takes it at once, then closed; nothing waits on this client.</summary>
    private static void RefuseBusy(Socket client)
    {
        try
        {
            client.Blocking = false;
            client.Send(Busy);
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
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_limits.MaxHeadBytes);
        try
        {
            client.NoDelay = true;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            deadline.CancelAfter(_limits.HeadTimeout);
            HttpParse parse;
            try
            {
                parse = await ReadHeadAsync(client, buffer, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                SendNow(client, TimedOut);
                return;
            }

            if (!parse.IsComplete)
            {
                return; // closed before a whole request came
            }

            deadline.CancelAfter(_limits.ResponseTimeout);
            await AnswerAsync(client, parse, deadline.Token).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
            await LingerAsync(client, buffer).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away, did not read its answer in time, or balance is stopping.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            client.Dispose();
        }
    }

    /// <summary>Reads until the request head is complete, too large or malformed; <see cref="HttpParse.Incomplete"/> when the client closed first.</summary>
    private async Task<HttpParse> ReadHeadAsync(Socket client, byte[] buffer, CancellationToken cancellation)
    {
        int received = 0;
        while (true)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(received, _limits.MaxHeadBytes - received), SocketFlags.None, cancellation)
                .ConfigureAwait(false);
            if (n == 0)
            {
                return HttpParse.Incomplete;
            }

            int searched = received;
            received += n;
            HttpParse parse = HttpRequestParser.Parse(buffer.AsSpan(0, received), _limits.MaxHeadBytes, searched);
            if (parse.IsComplete)
            {
                return parse;
            }
        }
    }

    private async Task AnswerAsync(Socket client, HttpParse parse, CancellationToken cancellation)
    {
        if (parse.Status != 200)
        {
            await SendAsync(client, HttpResponse.Error(parse.Status), cancellation).ConfigureAwait(false);
            return;
        }

        using var body = new PooledBufferWriter();
        var (status, contentType) = _site.Write(parse.Request.Path, body);
        byte[] head = ArrayPool<byte>.Shared.Rent(512);
        try
        {
            int headLength = HttpResponse.WriteHead(head, status, contentType, body.WrittenCount);
            await SendAsync(client, head.AsMemory(0, headLength), cancellation).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }

        if (!parse.Request.IsHead)
        {
            await SendAsync(client, body.WrittenMemory, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads (and drops) what the client still sends, for a moment, before
    /// closing: a close with unread bytes would send a reset that can destroy
    /// the answer before the client has read it.
    /// </summary>
    private static async Task LingerAsync(Socket client, byte[] buffer)
    {
        using var linger = new CancellationTokenSource(LingerTime);
        int drained = 0;
        while (drained < MaxLingerBytes)
        {
            int n = await client.ReceiveAsync(buffer, SocketFlags.None, linger.Token).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }

            drained += n;
        }
    }

    private static async Task SendAsync(Socket client, ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await client.SendAsync(bytes, SocketFlags.None, cancellation).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>A short answer to a client that is being dropped: only what the socket takes without waiting.</summary>
    private static void SendNow(Socket client, byte[] bytes)
    {
        try
        {
            client.Blocking = false;
            client.Send(bytes);
        }
        catch (SocketException)
        {
        }
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "Address already in use",
        SocketError.AddressNotAvailable => "Cannot assign requested address",
        SocketError.AccessDenied => "Permission denied",
        _ => e.Message,
    };

    /// <summary>Stops accepting; connections being served end at their next wait.</summary>
    public void Dispose()
    {
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping.Cancel();
            _listener.Dispose();
        }
    }
}
