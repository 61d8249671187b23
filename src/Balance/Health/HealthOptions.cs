using Balance.CommandLine;

namespace Balance.Health;

/// <summary>
/// How channels are checked (--check and the options that tune it), with the
/// defaults applied. The defaults are HAProxy's (a check every 2 s, down after
/// 3 failures, up after 2 passes), which its users know and which take a dead
/// channel out within 6 s at one connect per channel every 2 s.
/// </summary>
internal sealed record HealthOptions
{
    public const long DefaultIntervalMs = 2000;
    public const int DefaultRise = 2;
    public const int DefaultFall = 3;

    /// <summary>Time between two checks of a channel (its slot in the interval).</summary>
    public required long IntervalMs { get; init; }

    /// <summary>How long one check may take: connect, send and the expected reply.</summary>
    public required long TimeoutMs { get; init; }

    /// <summary>Passes in a row that bring a DOWN channel UP (and end a soft -a disable).</summary>
    public int Rise { get; init; } = DefaultRise;

    /// <summary>Failures in a row that take an UP channel DOWN.</summary>
    public int Fall { get; init; } = DefaultFall;

    /// <summary>Sent once connected; null: nothing.</summary>
    public byte[]? Send { get; init; }

    /// <summary>What the reply must contain within the timeout; null: the connect (and send) is the check.</summary>
    public byte[]? Expect { get; init; }

    /// <summary>
    /// The health options of a command line: null without --check. The options
    /// that tune checks are an error without --check, rather than silently
    /// doing nothing.
    /// </summary>
    public static HealthOptions? From(Options options)
    {
        if (!options.Check)
        {
            string? stray =
                options.CheckIntervalMs is not null ? "--check-interval"
                : options.CheckTimeoutMs is not null ? "--check-timeout"
                : options.Rise is not null ? "--rise"
                : options.Fall is not null ? "--fall"
                : options.CheckSend is not null ? "--check-send"
                : options.CheckExpect is not null ? "--check-expect"
                : null;
            return stray is null ? null : throw new BalanceException($"balance: {stray} needs --check", ExitCodes.Usage);
        }

        long interval = options.CheckIntervalMs ?? DefaultIntervalMs;
        return new HealthOptions
        {
            IntervalMs = interval,
            TimeoutMs = options.CheckTimeoutMs ?? Math.Min(interval, options.ConnectTimeoutSeconds * 1000L),
            Rise = options.Rise ?? DefaultRise,
            Fall = options.Fall ?? DefaultFall,
            Send = options.CheckSend,
            Expect = options.CheckExpect,
        };
    }
}
