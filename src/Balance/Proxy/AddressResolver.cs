using System.Net;
using System.Net.Sockets;

namespace Balance.Proxy;

/// <summary>
/// Host names and literals to addresses. IPv4 is preferred, as the original
/// resolved with gethostbyname; <c>preferIPv6</c> serves -6.
/// </summary>
internal static class AddressResolver
{
    public static IPAddress Resolve(string host, bool preferIPv6 = false)
    {
        if (TryResolve(host, preferIPv6, out IPAddress? address))
        {
            return address;
        }

        throw new BalanceException($"unknown or invalid address [{host}]", ExitCodes.DataError);
    }

    public static bool TryResolve(string host, bool preferIPv6, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        string literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out address))
        {
            return true;
        }

        try
        {
            IPAddress[] addresses = Dns.GetHostAddresses(host);
            AddressFamily preferred = preferIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            address = addresses.FirstOrDefault(a => a.AddressFamily == preferred) ?? addresses.FirstOrDefault();
            return address is not null;
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            address = null;
            return false;
        }
    }
}
