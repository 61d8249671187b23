using System.Net.Sockets;
using Balance.Proxy.ProxyProtocol;

namespace Balance.Proxy.Sockets;

/// <summary>
/// --accept-proxy on the sockets engine: takes the client's PROXY header off
/// the socket, peeking and then reading exactly the header's bytes, so what
/// follows stays for the relay. Bounded by the header timeout.
/// </summary>
internal static class ProxyHeaderIntake
{
    /// <summary>Complete, or why not (Incomplete: closed or timed out before the whole header).</summary>
    public static async Task<ProxyParseStatus> ReadAsync(Socket client, ProxyHeaderReader reader, TimeSpan timeout, TimeProvider clock, CancellationToken stopping)
    {
        using var deadline = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopping);
        CancellationToken token = linked.Token;
        try
        {
            while (true)
            {
                Memory<byte> free = reader.FreeMemory;
                int peeked = await client.ReceiveAsync(free, SocketFlags.Peek, token).ConfigureAwait(false);
                if (peeked == 0)
                {
                    return ProxyParseStatus.Incomplete;
                }

                ProxyParseStatus status = reader.Offer(peeked, out int take);
                if (status is not (ProxyParseStatus.Incomplete or ProxyParseStatus.Complete))
                {
                    return status;
                }

                for (int taken = 0; taken < take;)
                {
                    int read = await client.ReceiveAsync(free[taken..take], SocketFlags.None, token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return ProxyParseStatus.Incomplete;
                    }

                    taken += read;
                }

                if (status == ProxyParseStatus.Complete)
                {
                    return status;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return ProxyParseStatus.Incomplete;
        }
    }
}
