using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Balance.Control;

/// <summary>Who is on the other end of a Unix socket, as the kernel vouches for it (SO_PEERCRED).</summary>
internal readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12)
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        }

        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }

    /// <summary>The instance's owner and root may control it, nobody else.</summary>
    public static bool MayControl(uint peerUid, uint ownerUid) => peerUid == ownerUid || peerUid == 0;
}
