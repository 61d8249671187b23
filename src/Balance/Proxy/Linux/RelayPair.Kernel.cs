using Balance.Proxy.Linux.Kernel;

namespace Balance.Proxy.Linux;

/// <summary>
/// The pair's part in the kernel relay (<see cref="KernelPair"/>): when it
/// moves in, the FIN held back until the kernel has written out what it
/// holds, and the kernel's byte counts folded into the pair's traffic.
/// </summary>
internal sealed partial class RelayPair
{
    /// <summary>
    /// Turns of talk (the side sending changed) before a pair moves into the
    /// kernel relay: a request, its answer and the next request. A
    /// connection per request never gets there and pays nothing for it; a
    /// kept-alive one moves at its second request.
    /// </summary>
    private const int TurnsBeforeKernel = 3;

    private int _turns;
    private int _upReadsSeen;
    private int _downReadsSeen;

    /// <summary>On the loop's list of pairs whose FIN waits for the kernel to write out what it holds.</summary>
    internal bool AwaitingKernel { get; set; }

    /// <summary>Moves the pair into the kernel relay when it is ready to, or waits for the kernel before a FIN.</summary>
    private void KernelStep()
    {
        if (!_kernel!.Entered)
        {
            if (_turns < TurnsBeforeKernel)
            {
                CountTurns();
            }

            if (_turns == TurnsBeforeKernel && ReadyForKernel(_up) && ReadyForKernel(_down))
            {
                _turns++; // one try: a pair the kernel refused stays in user space
                if (_kernel.TryEnter(_up, _down))
                {
                    if (!UpdateInterest())
                    {
                        Close(reset: true);
                        return;
                    }

                    if (_context.Session.Log.DebugEnabled)
                    {
                        _context.Session.Log.Debug($"kernel relay group {_attempt.Lease.Group} channel {_attempt.Lease.Index}");
                    }
                }
            }
        }
        else if ((_up.AwaitsKernel || _down.AwaitsKernel) && !AwaitingKernel)
        {
            AwaitingKernel = true;
            _loop.AwaitKernel(this);
        }
    }

    /// <summary>One event reads one socket: the turn changes when the other side was the last to send.</summary>
    private void CountTurns()
    {
        bool upSpoke = _up.Reads != _upReadsSeen;
        bool downSpoke = _down.Reads != _downReadsSeen;
        if ((upSpoke && _turns % 2 == 0) || (downSpoke && _turns % 2 == 1))
        {
            _turns++;
        }

        _upReadsSeen = _up.Reads;
        _downReadsSeen = _down.Reads;
    }

    /// <summary>Nothing half-read, nothing owed, no FIN yet: the kernel can take this direction over as it is.</summary>
    private static bool ReadyForKernel(RelayDirection direction) =>
        direction.Drained && !direction.HasBacklog && !direction.SourceEnded;

    /// <summary>
    /// The loop asks again whether the kernel has written out what it held
    /// for a FIN still to be passed on. False while the pair still waits.
    /// </summary>
    public bool CheckKernel()
    {
        if (_closed || !AwaitingKernel)
        {
            return true;
        }

        _up.TryFinish();
        _down.TryFinish();
        if (_up.Finished && _down.Finished)
        {
            Close(reset: false);
            return true;
        }

        if (_up.AwaitsKernel || _down.AwaitsKernel)
        {
            return false;
        }

        AwaitingKernel = false;
        return true;
    }

    /// <summary>Counts what the kernel relayed for this pair into the channel's bytes and the pair's activity.</summary>
    public void FoldKernelCounts(long now) => _kernel?.Fold(Traffic, now);
}
