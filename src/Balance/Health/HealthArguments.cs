using System.Globalization;

namespace Balance.Health;

/// <summary>The values of the health options: seconds with a fraction, counts.</summary>
internal static class HealthArguments
{
    /// <summary>10 ms: below it a check would cost more than it tells.</summary>
    public const long MinMilliseconds = 10;

    /// <summary>A day: beyond it a check is no longer a health check.</summary>
    public const long MaxMilliseconds = 86_400_000;

    public const int MaxCount = 1000;

    /// <summary>Seconds such as "2", "0.2" or "1.5", as milliseconds (rounded).</summary>
    public static long Milliseconds(string text, string what)
    {
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds))
        {
            double ms = Math.Round(seconds * 1000);
            if (ms >= MinMilliseconds && ms <= MaxMilliseconds)
            {
                return (long)ms;
            }
        }

        throw new BalanceException($"balance: invalid {what} [{text}], seconds from 0.01 to 86400 expected", ExitCodes.Usage);
    }

    /// <summary>A count of checks, 1 to 1000.</summary>
    public static int Count(string text, string what)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count is >= 1 and <= MaxCount)
        {
            return count;
        }

        throw new BalanceException($"balance: invalid {what} [{text}], a whole number from 1 to 1000 expected", ExitCodes.Usage);
    }
}
