using System.Buffers;
using Balance.Native;
using Balance.Proxy.Session;
using static Balance.Native.Libc;

namespace Balance.Proxy.Linux;

/// <summary>
/// One direction of a relayed pair, and the moving of its bytes: read from
/// the source through the loop's shared buffer and written on, or spliced
/// through a pipe once the direction carries bulk data. What the destination
/// cannot take yet is owed to it (a rented buffer after a partial write, or
/// bytes in the pipe) and the source is not read until it is delivered. A
/// FIN is passed on once everything before it has left. In the kernel relay
/// (<see cref="KernelPair"/>) the kernel moves the bytes; what it passes up
/// is relayed here as before, and counted, so it can redirect again.
/// </summary>
internal sealed unsafe partial class RelayDirection
{
    /// <summary>
    /// Bytes moved per splice call, and the pipe's size. A read that fills the
    /// whole copy buffer marks bulk traffic, worth a pipe; 256 KiB measured
    /// best on loopback (64 KiB and 1 MiB were slower or no better).
    /// </summary>
    private const int SpliceChunk = 256 * 1024;

    private readonly EventLoop _loop;
    private readonly EpollContext _context;
    private readonly PairTraffic _traffic;
    private readonly ConnectAttempt _attempt;
    private byte[]? _header;
    private int _headerOffset;
    private int _headerCount;
    private byte[]? _pending;
    private int _pendingOffset;
    private int _pendingCount;
    private int _pipeRead = -1;
    private int _pipeWrite = -1;
    private int _pipeBytes;

    public RelayDirection(bool clientToChannel, EventLoop loop, EpollContext context, PairTraffic traffic, ConnectAttempt attempt)
    {
        ClientToChannel = clientToChannel;
        _loop = loop;
        _context = context;
        _traffic = traffic;
        _attempt = attempt;
    }

    public bool ClientToChannel { get; }

    /// <summary>The other direction of the pair: a FIN is passed on by shutdown only while it still flows.</summary>
    public RelayDirection Other { get; set; } = null!;

    public int Source { get; private set; } = -1;

    public int Destination { get; private set; } = -1;

    /// <summary>The source sent its FIN.</summary>
    public bool SourceEnded { get; private set; }

    /// <summary>The FIN was passed on to the destination: nothing more flows this way.</summary>
    public bool Finished { get; private set; }

    public bool HasBacklog => _headerCount > 0 || _pendingCount > 0 || _pipeBytes > 0;

    /// <summary>
    /// The last read left nothing half-read in the source's receive queue (a
    /// read shorter than asked for, or none to be had): the condition for
    /// the socket to enter the kernel relay, whose program sees whole segments.
    /// </summary>
    public bool Drained { get; private set; } = true;

    /// <summary>Reads that brought data: the pair tells from these who spoke last.</summary>
    public int Reads { get; private set; }

    public bool WantsRead => !SourceEnded && !HasBacklog;

    /// <summary>
    /// What the pair waits for on the source when it wants to read: data,
    /// and the peer's FIN (EPOLLRDHUP), which lets a short read that drained
    /// the socket end the direction at once instead of with one more read
    /// returning 0. Once the kernel relay sends on every segment of the
    /// source and passes none up, only the FIN: the kernel wakes epoll
    /// readers on every segment it redirects, and each such wake-up would
    /// cost the loop a trip for nothing.
    /// </summary>
    public uint ReadInterest => KernelCaughtUp ? EPOLLRDHUP : EPOLLIN | EPOLLRDHUP;

    private bool Splicing => _pipeWrite >= 0;

    public void Connect(int source, int destination)
    {
        Source = source;
        Destination = destination;
    }

    /// <summary>The source has data or news (FIN, error): move what can be moved. False on a failure that ends the pair.</summary>
    public bool Pump(bool peerClosed) => Splicing ? PumpSplice() : PumpCopy(peerClosed);

    /// <summary>
    /// Owes the destination a PROXY header (v1 or v2) before any relayed
    /// byte; it counts in neither sent nor rcvd. The buffer stays with the
    /// pooled direction.
    /// </summary>
    public bool OweHeader(in ProxyProtocol.ProxyAddresses addresses, int version)
    {
        _header ??= new byte[ProxyProtocol.ProxyV1Encoder.MaxLength];
        _headerOffset = 0;
        _headerCount = version == 1
            ? ProxyProtocol.ProxyV1Encoder.Write(addresses, _header)
            : ProxyProtocol.ProxyV2Encoder.Write(addresses, _header);
        return true;
    }

    /// <summary>The destination can take more: send what is owed to it. False on a failure that ends the pair.</summary>
    public bool Flush()
    {
        if (_headerCount > 0)
        {
            nint written;
            fixed (byte* header = _header)
            {
                written = Send(Destination, header + _headerOffset, _headerCount, MSG_NOSIGNAL);
            }

            if (written < 0)
            {
                return Errno.IsTransient(LastError);
            }

            _headerOffset += (int)written;
            _headerCount -= (int)written;
        }
        else if (_pendingCount > 0)
        {
            nint written;
            fixed (byte* pending = _pending)
            {
                written = Send(Destination, pending + _pendingOffset, _pendingCount, MSG_NOSIGNAL);
            }

            if (written < 0)
            {
                return Errno.IsTransient(LastError);
            }

            Delivered((int)written);
            _pendingOffset += (int)written;
            _pendingCount -= (int)written;
            if (_pendingCount == 0)
            {
                ArrayPool<byte>.Shared.Return(_pending!);
                _pending = null;
                if (Kernel is not null)
                {
                    Kernel.Delivered(_kernelSlot, TakenInKernel);
                    CheckKernelCaughtUp();
                }
            }
        }
        else if (_pipeBytes > 0)
        {
            nint moved = Splice(_pipeRead, null, Destination, null, _pipeBytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (moved < 0)
            {
                return Errno.IsTransient(LastError);
            }

            Delivered((int)moved);
            _pipeBytes -= (int)moved;
        }

        return HasBacklog || !SourceEnded || EndSource();
    }

    private bool PumpCopy(bool peerClosed)
    {
        byte* buffer = _loop.Buffer;
        nint read = Receive(Source, buffer, EventLoop.BufferSize, 0);
        Drained = read < EventLoop.BufferSize;
        if (read > 0)
        {
            Reads++;
            if (Kernel is not null)
            {
                TakenInKernel += read;
            }

            if (_context.Session.Settings.PacketDump)
            {
                PacketDump.Write(ClientToChannel, new ReadOnlySpan<byte>(buffer, (int)read));
            }

            if (!WriteOut(buffer, (int)read))
            {
                return false;
            }

            if (Kernel is not null && !HasBacklog)
            {
                Kernel.Delivered(_kernelSlot, TakenInKernel);
                CheckKernelCaughtUp();
            }

            if (read == EventLoop.BufferSize)
            {
                if (!HasBacklog)
                {
                    TryStartSplice();
                }
            }
            else if (peerClosed && TookAllPassed)
            {
                // The FIN was in before this read, and a short read took all
                // that came before it: the source has ended.
                return EndSource();
            }

            return true;
        }

        if (read == 0)
        {
            return !TookAllPassed || EndSource();
        }

        return Errno.IsTransient(LastError);
    }

    private bool WriteOut(byte* data, int count)
    {
        nint written = Send(Destination, data, count, MSG_NOSIGNAL);
        if (written < 0)
        {
            if (!Errno.IsTransient(LastError))
            {
                return false;
            }

            written = 0;
        }

        Delivered((int)written);
        int rest = count - (int)written;
        if (rest > 0)
        {
            _pending = ArrayPool<byte>.Shared.Rent(rest);
            new ReadOnlySpan<byte>(data + written, rest).CopyTo(_pending);
            _pendingOffset = 0;
            _pendingCount = rest;
        }

        return true;
    }

    private bool PumpSplice()
    {
        nint moved = Splice(Source, null, _pipeWrite, null, SpliceChunk, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        Drained = moved <= 0;
        if (moved > 0)
        {
            _pipeBytes += (int)moved;
            return Flush();
        }

        return moved == 0 ? EndSource() : Errno.IsTransient(LastError);
    }

    /// <summary>The source sent FIN: pass it on once everything before it is delivered.</summary>
    private bool EndSource()
    {
        SourceEnded = true;
        _traffic.HalfClose(ClientToChannel);
        TryFinish();
        return true;
    }

    /// <summary>
    /// Passes the source's FIN on when nothing before it is left: nothing
    /// owed here, and in the kernel relay, nothing the kernel still holds
    /// for the destination (else the pair asks again later). When the other
    /// way is already finished the pair closes right after, and that close
    /// sends the FIN, so no shutdown call is spent on it.
    /// </summary>
    public void TryFinish()
    {
        if (!SourceEnded || HasBacklog || Finished || (Kernel is not null && !Kernel.WroteAll(this)))
        {
            return;
        }

        Finished = true;
        if (!Other.Finished)
        {
            _ = Shutdown(Destination, SHUT_WR); // a failure shows up as an error on the socket
        }
    }

    private void TryStartSplice()
    {
        if (_context.Session.Settings.PacketDump || Kernel is not null || !_context.TryTakePipe())
        {
            return;
        }

        int* fds = stackalloc int[2];
        if (Pipe(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        {
            _context.ReturnPipe();
            return;
        }

        _ = Fcntl(fds[1], F_SETPIPE_SZ, SpliceChunk); // a smaller pipe only means more splice calls
        _pipeRead = fds[0];
        _pipeWrite = fds[1];
        if (_context.Session.Log.DebugEnabled)
        {
            string way = ClientToChannel ? "client to channel" : "channel to client";
            _context.Session.Log.Debug($"zero-copy relay group {_attempt.Lease.Group} channel {_attempt.Lease.Index} {way}");
        }
    }

    private void Delivered(int bytes) => _traffic.Moved(ClientToChannel, bytes, _loop.Now);

    /// <summary>Gives back the buffer and pipe and forgets the connection, ready for the next pair.</summary>
    public void Release()
    {
        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
        }

        ReleasePipe();
        _pendingOffset = _pendingCount = _pipeBytes = 0;
        _headerOffset = _headerCount = 0;
        Source = Destination = -1;
        SourceEnded = Finished = false;
        Drained = true;
        Reads = 0;
        Kernel = null;
        _kernelSlot = -1;
        TakenInKernel = 0;
        KernelCaughtUp = false;
    }

    private void ReleasePipe()
    {
        if (Splicing)
        {
            _ = Libc.Close(_pipeRead);
            _ = Libc.Close(_pipeWrite);
            _context.ReturnPipe();
        }

        _pipeRead = _pipeWrite = -1;
    }
}
