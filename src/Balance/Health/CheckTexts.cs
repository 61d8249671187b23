using System.Globalization;
using System.Runtime.InteropServices;
using Balance.Native;

namespace Balance.Health;

/// <summary>
/// Why a TCP check failed, in words: made once for the configured timeout, so
/// a failing check allocates nothing but for an unusual errno.
/// </summary>
internal sealed class CheckTexts
{
    public const string Closed = "closed before the expected reply";
    public const string TooLong = "no expected reply in the first 64 KiB";

    public CheckTexts(long timeoutMs)
    {
        string seconds = (timeoutMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        NoConnection = $"no connection within {seconds} s";
        NotSent = $"could not send within {seconds} s";
        NoReply = $"no expected reply within {seconds} s";
    }

    public string NoConnection { get; }

    public string NotSent { get; }

    public string NoReply { get; }

    public static string Errno(int errno) => errno switch
    {
        Native.Errno.ECONNREFUSED => "connection refused",
        Native.Errno.ECONNRESET => "connection reset",
        Native.Errno.EHOSTUNREACH => "host unreachable",
        Native.Errno.ENETUNREACH => "network unreachable",
        Native.Errno.ETIMEDOUT => "connection timed out",
        Native.Errno.EPIPE => "connection closed while sending",
        _ => Lower(Marshal.GetPInvokeErrorMessage(errno)),
    };

    /// <summary>"not checked: too many open files": this machine could not open a socket.</summary>
    public static string NotRun(int errno) => "not checked: " + Errno(errno);

    private static string Lower(string message) =>
        message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
}
