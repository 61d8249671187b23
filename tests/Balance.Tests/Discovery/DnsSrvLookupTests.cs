using System.Net;
using System.Net.Sockets;
using Balance.Discovery;

namespace Balance.Tests.Discovery;

/// <summary>
/// A hostile DNS server on a loopback UDP port: every answer carries the
/// query's id and flags of an answer, then random bytes (truncated records,
/// bad lengths, pointer loops). A lookup must end in a failed answer, never
/// in an exception.
/// </summary>
public sealed class DnsSrvLookupTests
{
    [Fact]
    public async Task MalformedAnswersAreFailuresNotCrashes()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = (IPEndPoint)server.Client.LocalEndPoint!;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var random = new Random(7);
        Task answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                UdpReceiveResult query;
                try
                {
                    query = await server.ReceiveAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                byte[] reply = new byte[random.Next(2, 600)];
                random.NextBytes(reply);
                reply[0] = query.Buffer[0];
                reply[1] = query.Buffer[1];
                if (reply.Length > 3)
                {
                    reply[2] = (byte)(0x80 | (reply[2] & 0x79)); // an answer, not truncated: no TCP retry
                    reply[3] &= 0xF0; // no error code: the records are parsed
                }

                if (reply.Length > 12 && random.Next(2) == 0)
                {
                    reply[5] = 1; // one question...
                    reply[7] = (byte)random.Next(1, 4); // ...and some answers that are not there
                }

                await server.SendAsync(reply, query.RemoteEndPoint, stop.Token);
            }
        });

        var lookup = new DnsSrvLookup(endPoint);
        for (int i = 0; i < 300; i++)
        {
            SrvAnswer answer = await lookup.LookupAsync("_x._tcp.fuzz.test", CancellationToken.None);
            Assert.False(answer.IsUsable && answer.Targets.Any(t => t.EndPoint.Port == 0 && t.Weight < 0));
        }

        stop.Cancel();
        await answering;
    }

    [Fact]
    public async Task NoServerIsAFailure()
    {
        using var nobody = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var lookup = new DnsSrvLookup((IPEndPoint)nobody.Client.LocalEndPoint!);
        SrvAnswer answer = await lookup.LookupAsync("_x._tcp.none.test", CancellationToken.None);
        Assert.False(answer.IsUsable);
        Assert.NotNull(answer.Error);
    }
}
