using Balance.Routing;

namespace Balance.Health;

/// <summary>
/// The verdict on one channel from its checks in a row, as HAProxy's rise and
/// fall: an UP channel goes DOWN after <c>fall</c> failures in a row, a DOWN
/// one comes UP after <c>rise</c> passes in a row. A channel starts
/// <see cref="ChannelHealth.Unknown"/>, which routing treats as up (so a start
/// refuses no client), and its first check decides at once: a pass makes it
/// UP, a failure DOWN. That is HAProxy's default start ("up, and down after a
/// single failed check"): a channel that was never seen working is not given
/// <c>fall</c> chances, and one that works never stops taking clients.
/// </summary>
internal sealed class RiseFall
{
    private readonly int _rise;
    private readonly int _fall;

    public RiseFall(int rise, int fall)
    {
        _rise = rise;
        _fall = fall;
    }

    public ChannelHealth Health { get; private set; }

    /// <summary>Checks passed in a row.</summary>
    public int Successes { get; private set; }

    /// <summary>Checks failed in a row (clients' failed connects included).</summary>
    public int Failures { get; private set; }

    /// <summary>A check passed; true when that changed the verdict.</summary>
    public bool Passed()
    {
        Successes = Successes == int.MaxValue ? Successes : Successes + 1;
        Failures = 0;
        if (Health == ChannelHealth.Unknown || (Health == ChannelHealth.Down && Successes >= _rise))
        {
            Health = ChannelHealth.Up;
            return true;
        }

        return false;
    }

    /// <summary>A check failed; true when that changed the verdict.</summary>
    public bool Failed()
    {
        Failures = Failures == int.MaxValue ? Failures : Failures + 1;
        Successes = 0;
        if (Health == ChannelHealth.Unknown || (Health == ChannelHealth.Up && Failures >= _fall))
        {
            Health = ChannelHealth.Down;
            return true;
        }

        return false;
    }

    /// <summary>Back to the start: nothing known (the channel was pointed at another address).</summary>
    public void Reset()
    {
        Health = ChannelHealth.Unknown;
        Successes = 0;
        Failures = 0;
    }
}
