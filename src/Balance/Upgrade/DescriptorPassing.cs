using Balance.Native;

namespace Balance.Upgrade;

/// <summary>
/// One descriptor across a Unix stream socket (SCM_RIGHTS). The receiver gets
/// its own descriptor for the same open socket: the kernel object, and its
/// accept queue, stay open as long as either process holds one.
/// </summary>
internal static unsafe class DescriptorPassing
{
    /// <summary>Sends <paramref name="data"/> (at least one byte) with <paramref name="descriptor"/> attached; false with errno on failure.</summary>
    public static bool Send(int socket, int descriptor, ReadOnlySpan<byte> data, out int errno)
    {
        int space = Libc.CmsgSpace(sizeof(int));
        byte* control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        var header = (Libc.CmsgHdr*)control;
        header->Length = (nuint)Libc.CmsgLength(sizeof(int));
        header->Level = Libc.SOL_SOCKET;
        header->Type = Libc.SCM_RIGHTS;
        *(int*)(control + sizeof(Libc.CmsgHdr)) = descriptor;

        fixed (byte* bytes = data)
        {
            var iov = new Libc.IoVec { Base = bytes, Length = (nuint)data.Length };
            var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            nint sent = Libc.SendMsg(socket, &message, Libc.MSG_NOSIGNAL);
            errno = sent < 0 ? Libc.LastError : 0;

            // The descriptor goes with the first byte: the rest is plain data.
            return sent > 0 && (sent == data.Length || SendRest(socket, data[(int)sent..], out errno));
        }
    }

    private static bool SendRest(int socket, ReadOnlySpan<byte> rest, out int errno)
    {
        errno = 0;
        fixed (byte* bytes = rest)
        {
            int done = 0;
            while (done < rest.Length)
            {
                nint sent = Libc.Send(socket, bytes + done, rest.Length - done, Libc.MSG_NOSIGNAL);
                if (sent <= 0)
                {
                    errno = Libc.LastError;
                    return false;
                }

                done += (int)sent;
            }
        }

        return true;
    }

    /// <summary>
    /// Receives into <paramref name="buffer"/>; a descriptor that came along is
    /// put in <paramref name="descriptor"/> (close-on-exec), else it is left as it was.
    /// Returns the bytes read (0 at the end), or -1 with errno.
    /// </summary>
    public static int Receive(int socket, Span<byte> buffer, ref int descriptor, out int errno)
    {
        int space = Libc.CmsgSpace(sizeof(int));
        byte* control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        fixed (byte* bytes = buffer)
        {
            var iov = new Libc.IoVec { Base = bytes, Length = (nuint)buffer.Length };
            var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            nint read = Libc.RecvMsg(socket, &message, Libc.MSG_CMSG_CLOEXEC);
            errno = read < 0 ? Libc.LastError : 0;
            var header = (Libc.CmsgHdr*)control;
            if (read >= 0 && message.ControlLength >= (nuint)Libc.CmsgLength(sizeof(int))
                && header->Level == Libc.SOL_SOCKET && header->Type == Libc.SCM_RIGHTS)
            {
                descriptor = *(int*)(control + sizeof(Libc.CmsgHdr));
            }

            return (int)read;
        }
    }
}
