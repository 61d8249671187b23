using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>
/// --accept-proxy through the real binary: two balances in a row keep a hash
/// group sticky on the real client; a source not allowed, a missing or a
/// garbled header close the client and are counted; data in the same segment
/// as the header reaches the backend intact.
/// </summary>
public sealed class AcceptProxyEndToEndTests
{
    private const int Clients = 60;

    private static IPAddress ClientAddress(int i) => new([127, 20, (byte)(i / 200), (byte)((i % 200) + 2)]);

    [Theory]
    [AllEngines]
    public async Task Two_balances_in_a_row_keep_a_hash_group_sticky_on_the_real_client(string engine)
    {
        // The reference: the same hash group reached directly, without headers.
        await using var direct = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = ["A", "B", "C", "D", "E"],
            Channels = ["{A}", "{B}", "{C}", "{D}", "{E}", "%"],
        });
        await using var back = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = ["--accept-proxy"],
            Channels = [.. direct.Backends.Select(b => b.Channel), "%"],
        });
        await using var front = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = ["--send-proxy-v2"],
            Channels = [$"127.0.0.1:{back.Port}"],
        });

        var seen = new HashSet<string>();
        for (int i = 0; i < Clients; i++)
        {
            string through = await TestClient.WhoAnswersAsync(front.Port, ClientAddress(i));
            Assert.Equal(await TestClient.WhoAnswersAsync(direct.Port, ClientAddress(i)), through);
            Assert.Equal(through, await TestClient.WhoAnswersAsync(front.Port, ClientAddress(i)));
            seen.Add(through);
        }

        // Hashing the front balance's address would send every client to one channel.
        Assert.True(seen.Count >= 3, $"every client went to {string.Join(",", seen)}");
    }

    [Theory]
    [AllEngines]
    public async Task Data_after_the_header_in_the_same_segment_is_relayed_intact(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = [new BackendSpec("A")],
            Options = ["--accept-proxy"],
        });
        using Socket client = await TestClient.ConnectAsync(proxy.Port);
        byte[] data = Encoding.ASCII.GetBytes("client data right after the header\n");
        await client.SendAsync((byte[])[.. "PROXY TCP4 192.0.2.9 192.0.2.1 4444 25\r\n"u8, .. data], SocketFlags.None);
        Assert.Equal("A", await TestClient.ReadLineAsync(client));
        Assert.Equal(Encoding.ASCII.GetString(data).TrimEnd('\n'), await TestClient.ReadLineAsync(client));
    }

    [Theory]
    [AllEngines]
    public async Task A_header_in_pieces_is_read_and_its_address_passed_on(string engine)
    {
        using var receiver = new RawReceiver();
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Options = ["--accept-proxy", "--send-proxy"],
            Channels = [receiver.Channel],
        });
        using Socket client = await TestClient.ConnectAsync(proxy.Port);
        byte[] header = "PROXY TCP6 2001:db8::9 2001:db8::1 4444 25\r\n"u8.ToArray();
        Task<byte[]> received = receiver.ReceiveAsync(header.Length + 3);
        foreach (byte[] piece in new[] { header[..7], header[7..30], header[30..], "abc"u8.ToArray() })
        {
            await client.SendAsync(piece, SocketFlags.None);
            await Task.Delay(50); // separate segments, not a synchronisation
        }

        byte[] got = await received;
        Assert.Equal([.. header, .. "abc"u8], got);
    }

    [Theory]
    [AllEngines]
    public async Task A_source_not_allowed_is_closed_unheard_and_counted(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = [new BackendSpec("A")],
            Options = ["--accept-proxy", "--accept-proxy-from", "127.0.0.5/32,::1"],
        });
        Assert.True(await RefusedAsync(proxy.Port, IPAddress.Parse("127.0.0.9")));
        Assert.Equal(0, proxy["A"].Accepted);
        await Poll.UntilAsync(() => proxy.Process.Stderr.Contains("closed 1 client without a valid PROXY header"), TimeSpan.FromSeconds(10), "the rejection logged");
        Assert.Contains("127.0.0.9: not an --accept-proxy-from source", proxy.Process.Stderr);

        using Socket allowed = await TestClient.ConnectAsync(proxy.Port, IPAddress.Parse("127.0.0.5"));
        await allowed.SendAsync("PROXY TCP4 192.0.2.9 192.0.2.1 4444 25\r\n"u8.ToArray(), SocketFlags.None);
        Assert.Equal("A", await TestClient.ReadLineAsync(allowed));
    }

    /// <summary>Connects from <paramref name="source"/> with a valid header: true when balance closes or resets it (the reset may already hit the connect).</summary>
    private static async Task<bool> RefusedAsync(int port, IPAddress source)
    {
        try
        {
            using Socket client = await TestClient.ConnectAsync(port, source);
            await client.SendAsync("PROXY TCP4 192.0.2.9 192.0.2.1 4444 25\r\n"u8.ToArray(), SocketFlags.None);
            return await TestClient.IsClosedByPeerAsync(client, TimeSpan.FromSeconds(10));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    [Theory]
    [AllEngines]
    public async Task A_missing_header_is_closed_after_3_seconds_and_a_garbled_one_at_once(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup
        {
            Backends = [new BackendSpec("A")],
            Options = ["--accept-proxy"],
        });
        using Socket silent = await TestClient.ConnectAsync(proxy.Port);
        var clock = Stopwatch.StartNew();
        Assert.True(await TestClient.IsClosedByPeerAsync(silent, TimeSpan.FromSeconds(15)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(12));
        await Poll.UntilAsync(() => proxy.Process.Stderr.Contains("no whole header within the time allowed"), TimeSpan.FromSeconds(10), "the missing header logged");

        using Socket garbled = await TestClient.ConnectAsync(proxy.Port);
        await garbled.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), SocketFlags.None);
        clock.Restart();
        Assert.True(await TestClient.IsClosedByPeerAsync(garbled, TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"closed after {clock.Elapsed}");
        Assert.Equal(0, proxy["A"].Accepted);
    }
}
