using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Balance.Proxy;

/// <summary>
/// Relay buffers outside the garbage-collected heap. A buffer held across a
/// long send (a slow peer) would survive collections into the oldest
/// generation and linger there as garbage long after its relay ended; native
/// blocks go back to the system the moment they are freed (on Linux they are
/// mapped pages of their own, which malloc's per-thread arenas would keep).
/// A few are kept for reuse, the rest freed, so memory follows the data in flight.
/// </summary>
internal sealed class NativeBufferPool
{
    private readonly ConcurrentBag<NativeBuffer> _free = new();
    private readonly int _keep;
    private int _freeCount;

    public NativeBufferPool(int bufferSize, int keep)
    {
        BufferSize = bufferSize;
        _keep = keep;
    }

    public int BufferSize { get; }

    public NativeBuffer Rent()
    {
        if (_free.TryTake(out NativeBuffer? buffer))
        {
            Interlocked.Decrement(ref _freeCount);
            return buffer;
        }

        return new NativeBuffer(BufferSize);
    }

    /// <summary>Takes a buffer back; no operation may still use it.</summary>
    public void Return(NativeBuffer buffer)
    {
        if (Interlocked.Increment(ref _freeCount) <= _keep)
        {
            _free.Add(buffer);
            return;
        }

        Interlocked.Decrement(ref _freeCount);
        buffer.Free();
    }
}

/// <summary>One native block, usable as <see cref="Memory{T}"/> by socket operations.</summary>
internal sealed unsafe partial class NativeBuffer : MemoryManager<byte>
{
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivateAnonymous = 0x02 | 0x20;
    private static readonly nint MapFailed = -1;

    private readonly int _length;
    private readonly bool _mapped;
    private byte* _pointer;

    public NativeBuffer(int length)
    {
        _length = length;
        if (OperatingSystem.IsLinux())
        {
            nint block = Mmap(0, (nuint)length, ProtReadWrite, MapPrivateAnonymous, -1, 0);
            if (block == MapFailed)
            {
                throw new OutOfMemoryException();
            }

            _pointer = (byte*)block;
            _mapped = true;
        }
        else
        {
            _pointer = (byte*)NativeMemory.Alloc((nuint)length);
        }
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    public void Free()
    {
        if (_pointer is null)
        {
            return;
        }

        if (_mapped)
        {
            _ = Munmap((nint)_pointer, (nuint)_length);
        }
        else
        {
            NativeMemory.Free(_pointer);
        }

        _pointer = null;
    }

    protected override void Dispose(bool disposing) => Free();

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint address, nuint length);
}
