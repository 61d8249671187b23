using System.Net;
using System.Net.Sockets;
using Balance.Hosting;

namespace Balance.Proxy.Session;

/// <summary>
/// -B: the address connections to channels start from. An IPv4 address
/// serves a channel given as an IPv4-mapped IPv6 address in its mapped form;
/// a channel of the other family gets no bind (an IPv4 source cannot reach a
/// native IPv6 address, nor the reverse). A bind that fails (an address this machine does not have)
/// is ignored and the connect goes ahead from the default address, as the
/// original did; with -d that is said once, not once per connection.
/// </summary>
internal sealed class OutgoingSource
{
    private readonly IPAddress? _address;
    private readonly Log _log;
    private int _failureLogged;

    public OutgoingSource(IPAddress? address, Log log)
    {
        _address = address;
        _log = log;
    }

    /// <summary>The address to bind a socket for <paramref name="target"/> to, or null for none.</summary>
    public IPAddress? For(IPAddress target)
    {
        IPAddress? bind = _address;
        if (bind is null)
        {
            return null;
        }

        if (target.IsIPv4MappedToIPv6 && bind.AddressFamily == AddressFamily.InterNetwork)
        {
            return bind.MapToIPv6();
        }

        return bind.AddressFamily == target.AddressFamily && !bind.IsIPv4MappedToIPv6 == !target.IsIPv4MappedToIPv6 ? bind : null;
    }

    public void BindFailed(string reason)
    {
        if (_log.DebugEnabled && Interlocked.Exchange(ref _failureLogged, 1) == 0)
        {
            _log.Debug($"bind to -B address {_address} failed ({reason}): connecting from the default address");
        }
    }
}
