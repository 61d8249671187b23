using System.Buffers;
using System.Runtime.InteropServices;
using Balance.Native;

namespace Balance.Proxy.Sockets;

/// <summary>One native block, usable as <see cref="Memory{T}"/> by socket operations.</summary>
internal sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    private readonly int _length;
    private readonly bool _mapped;
    private byte* _pointer;

    public NativeBuffer(int length)
    {
        _length = length;
        if (OperatingSystem.IsLinux())
        {
            nint block = Libc.Mmap(0, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
            if (block == Libc.MAP_FAILED)
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
            _ = Libc.Munmap((nint)_pointer, (nuint)_length);
        }
        else
        {
            NativeMemory.Free(_pointer);
        }

        _pointer = null;
    }

    protected override void Dispose(bool disposing) => Free();
}
