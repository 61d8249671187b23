using Balance.Proxy.Linux.Kernel;

namespace Balance.Proxy.Linux;

/// <summary>
/// A direction's part in the kernel relay (<see cref="KernelPair"/>): what
/// it has taken from the program since the pair moved in, and when the
/// program passes nothing more up.
/// </summary>
internal sealed partial class RelayDirection
{
    /// <summary>The pair's stay in the kernel relay, null in user space.</summary>
    public KernelPair? Kernel { get; private set; }

    /// <summary>Bytes read from the source since the pair entered the kernel relay (all of them passed up by its program).</summary>
    public long TakenInKernel { get; private set; }

    /// <summary>The source's FIN is in, nothing is owed, but the kernel may still hold bytes for the destination.</summary>
    public bool AwaitsKernel => Kernel is not null && SourceEnded && !Finished && !HasBacklog;

    private int _kernelSlot = -1;

    /// <summary>
    /// In the kernel relay, every byte the program passed up from the source
    /// has been read and delivered, and the slot is armed: from now on the
    /// program redirects every segment and passes none up.
    /// </summary>
    public bool KernelCaughtUp { get; private set; }

    /// <summary>
    /// In the kernel relay, a segment the program passed up can still be on
    /// its way to the socket's queue (behind segments the kernel sends out of
    /// the same socket) when the FIN shows: the source has ended only once
    /// every byte passed up has been read.
    /// </summary>
    private bool TookAllPassed => Kernel is null || Kernel.Passed(_kernelSlot) == TakenInKernel;

    /// <summary>
    /// The pair entered the kernel relay, <paramref name="slot"/> being the
    /// source's: bytes read from now on are counted for the program, and
    /// this direction's pipe (empty: the pair owed nothing) is given back.
    /// </summary>
    public void EnterKernel(KernelPair kernel, int slot)
    {
        Kernel = kernel;
        _kernelSlot = slot;
        TakenInKernel = 0;
        KernelCaughtUp = false;
        ReleasePipe();
    }

    /// <summary>
    /// Once all the program passed up has been taken and delivered, and the
    /// slot is armed with that count (<see cref="KernelPair.Delivered"/>):
    /// a run of the program that read the count before it was written may
    /// still be passing a segment up on another CPU, so the source's lock is
    /// taken once (the kick), which waits for such a run to end; if nothing
    /// more was passed up by then, none will be.
    /// </summary>
    /// <param name="lockTaken">The source's lock was taken since the slot was armed with this count.</param>
    public void CheckKernelCaughtUp(bool lockTaken = false)
    {
        if (KernelCaughtUp || !Kernel!.Armed || Kernel.Passed(_kernelSlot) != TakenInKernel)
        {
            return;
        }

        if (!lockTaken)
        {
            KernelSockets.Kick(Source);
        }

        KernelCaughtUp = Kernel.Passed(_kernelSlot) == TakenInKernel;
    }
}
