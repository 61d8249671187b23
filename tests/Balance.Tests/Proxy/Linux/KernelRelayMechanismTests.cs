using System.Net;
using System.Net.Sockets;
using Balance.Proxy.Linux.Kernel;
using Balance.Tests.Support;

namespace Balance.Tests.Proxy.Linux;

/// <summary>
/// What the kernel relay relies on from the kernel, tried on real sockets
/// with the loaded program: segments queued before a socket entered the
/// sockmap go through the program once kicked, an unarmed slot passes
/// segments up and counts them, and the written count of a socket follows
/// what the kernel sends out of it.
/// </summary>
[Collection(KernelRelayMechanismTests.Name)]
public sealed class KernelRelayMechanismTests
{
    public const string Name = "kernel relay mechanism";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [KernelRelayFact]
    public async Task SegmentsQueuedBeforeTheSocketEnteredAreRedirectedOnceKicked()
    {
        using KernelRelay relay = KernelRelay.TryLoad(out _)!;
        (Socket clientA, Socket a) = await ConnectedAsync();
        (Socket clientB, Socket b) = await ConnectedAsync();
        using (clientA)
        using (a)
        using (clientB)
        using (b)
        {
            await clientA.SendAsync("early"u8.ToArray(), SocketFlags.None);
            await Poll.UntilAsync(() => a.Available == 5, Wait, "the segment to wait in the receive queue");

            Enter(relay, a, b, arm: true);
            KernelSockets.Kick(Fd(a));

            Assert.Equal("early"u8.ToArray(), await Traffic.ReadExactlyAsync(clientB, 5, Wait));
            Assert.Equal(5, relay.Redirected(0));
            Leave(relay, a, b);
        }
    }

    [KernelRelayFact]
    public async Task AnUnarmedSlotPassesSegmentsUpAndCountsThem()
    {
        using KernelRelay relay = KernelRelay.TryLoad(out _)!;
        (Socket clientA, Socket a) = await ConnectedAsync();
        (Socket clientB, Socket b) = await ConnectedAsync();
        using (clientA)
        using (a)
        using (clientB)
        using (b)
        {
            Enter(relay, a, b, arm: false);
            await clientA.SendAsync("hello"u8.ToArray(), SocketFlags.None);

            Assert.Equal("hello"u8.ToArray(), await Traffic.ReadExactlyAsync(a, 5, Wait));
            Assert.Equal(5, relay.Passed(0));
            Assert.Equal(0, relay.Redirected(0));
            Leave(relay, a, b);
        }
    }

    [KernelRelayFact]
    public async Task TheWrittenCountOfASocketFollowsWhatTheKernelSendsOutOfIt()
    {
        using KernelRelay relay = KernelRelay.TryLoad(out _)!;
        (Socket clientA, Socket a) = await ConnectedAsync();
        (Socket clientB, Socket b) = await ConnectedAsync();
        using (clientA)
        using (a)
        using (clientB)
        using (b)
        {
            await b.SendAsync(new byte[1000], SocketFlags.None); // written before the start counts for nothing
            await Traffic.ReadExactlyAsync(clientB, 1000, Wait);
            long before = KernelSockets.WrittenExactly(Fd(b));
            Enter(relay, a, b, arm: true);

            byte[] data = new byte[300_000];
            Random.Shared.NextBytes(data);
            Task<int> sending = clientA.SendAsync(data, SocketFlags.None);
            Assert.Equal(data, await Traffic.ReadExactlyAsync(clientB, data.Length, Wait));
            await sending;

            await Poll.UntilAsync(() => KernelSockets.WrittenTo(Fd(b)) - before == data.Length, Wait, "the written count to reach what was sent");
            Assert.Equal(data.Length, relay.Redirected(0));
            Leave(relay, a, b);
        }
    }

    private static void Enter(KernelRelay relay, Socket a, Socket b, bool arm)
    {
        relay.Reset(0);
        relay.Reset(1);
        Assert.True(KernelSockets.Cookie(Fd(a), out ulong cookieA));
        Assert.True(KernelSockets.Cookie(Fd(b), out ulong cookieB));
        Assert.True(relay.MapCookie(cookieA, 0));
        Assert.True(relay.MapCookie(cookieB, 1));
        Assert.True(relay.Insert(0, Fd(a)));
        Assert.True(relay.Insert(1, Fd(b)));
        if (arm)
        {
            relay.Arm(0, 0);
            relay.Arm(1, 0);
        }
    }

    private static void Leave(KernelRelay relay, Socket a, Socket b)
    {
        Assert.True(KernelSockets.Cookie(Fd(a), out ulong cookieA));
        Assert.True(KernelSockets.Cookie(Fd(b), out ulong cookieB));
        relay.ForgetCookie(cookieA);
        relay.ForgetCookie(cookieB);
    }

    private static int Fd(Socket socket) => (int)socket.Handle;

    /// <summary>A connected loopback pair: (the far end, the end that enters the sockmap).</summary>
    private static async Task<(Socket Far, Socket Near)> ConnectedAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var far = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await far.ConnectAsync(listener.LocalEndPoint!);
        Socket near = await listener.AcceptAsync();
        return (far, near);
    }
}
