using System.Globalization;
using System.Net;

namespace Balance.CommandLine;

/// <summary>
/// The value of <c>--http</c>: an IP address and a port, IPv6 in brackets
/// (<c>127.0.0.1:9100</c>, <c>[::1]:9100</c>, <c>0.0.0.0:9100</c>). A literal
/// only: the endpoint is chosen by an operator, and a name that resolves
/// differently tomorrow should not quietly move it.
/// </summary>
internal static class HttpAddressParser
{
    public static IPEndPoint Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon > 0 && colon < text.Length - 1)
        {
            string host = text[..colon];
            bool bracketed = host.StartsWith('[') && host.EndsWith(']');
            if (bracketed)
            {
                host = host[1..^1];
            }

            if (IPAddress.TryParse(host, out IPAddress? address)
                && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == bracketed
                && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
                && port is >= 1 and <= 65535
                && IsDotted(host, address))
            {
                return new IPEndPoint(address, port);
            }
        }

        throw new BalanceException(
            $"balance: invalid --http address [{text}], ADDR:PORT expected (127.0.0.1:9100, [::1]:9100)", ExitCodes.Usage);
    }

    /// <summary>IPAddress.TryParse also takes "1" or "127.1" for IPv4; only the dotted quad is meant here.</summary>
    private static bool IsDotted(string host, IPAddress address) =>
        address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || host.Count(c => c == '.') == 3;
}
