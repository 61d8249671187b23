using System.Net;

namespace Balance.Control;

/// <summary>
/// The file name of an instance's control socket, from its listen port and -b
/// address, like the original's rendezvous file: <c>balance.PORT.BINDADDR</c>,
/// BINDADDR <c>0.0.0.0</c> without -b.
/// </summary>
internal static class ControlSocketName
{
    public const string DefaultBindAddress = "0.0.0.0";

    public static string For(int port, string? bindAddress) =>
        $"balance.{port}.{Canonical(bindAddress)}";

    /// <summary>
    /// Address literals in their canonical spelling, so <c>-b ::1</c> and
    /// <c>-b [0::1]</c> meet; names as typed. Never a path separator.
    /// </summary>
    private static string Canonical(string? bindAddress)
    {
        if (string.IsNullOrEmpty(bindAddress))
        {
            return DefaultBindAddress;
        }

        string literal = bindAddress.StartsWith('[') && bindAddress.EndsWith(']') ? bindAddress[1..^1] : bindAddress;
        string text = IPAddress.TryParse(literal, out IPAddress? address) ? address.ToString() : bindAddress;
        return text.Replace('/', '_').Replace('\0', '_');
    }
}
