using System.Buffers;
using System.Collections.Concurrent;

namespace Balance.Proxy.Sockets;

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
