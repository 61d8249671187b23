using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Balance.Discovery;

/// <summary>
/// SRV lookups with DnsClient: the record, then the A (else AAAA) addresses
/// of each target, taken from the additional section when the server put them
/// there and asked for otherwise. The server is --resolver, or those of
/// /etc/resolv.conf. No cache: the TTLs decide when balance asks again.
/// </summary>
internal sealed class DnsSrvLookup : ISrvLookup
{
    /// <summary>More targets than a group has channel slots are of no use; the rest of an answer is ignored.</summary>
    private const int MaxTargets = Routing.Limits.MaxChannels;

    private readonly LookupClient _client;

    public DnsSrvLookup(IPEndPoint? server)
    {
        LookupClientOptions options = server is null ? new LookupClientOptions() : new LookupClientOptions(new NameServer(server));
        options.UseCache = false;
        options.Timeout = TimeSpan.FromSeconds(2);
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        options.UseTcpFallback = true;
        options.ContinueOnDnsError = false;
        _client = new LookupClient(options);
    }

    public async Task<SrvAnswer> LookupAsync(string name, CancellationToken cancellation)
    {
        try
        {
            IDnsQueryResponse response = await _client.QueryAsync(name, QueryType.SRV, QueryClass.IN, cancellation).ConfigureAwait(false);
            if (response.HasError)
            {
                return SrvAnswer.Failed(response.ErrorMessage);
            }

            SrvRecord[] records = response.Answers.SrvRecords().Take(MaxTargets).ToArray();
            if (records.Length == 0)
            {
                return SrvAnswer.Failed("no SRV records");
            }

            var targets = new List<SrvTarget>();
            int ttl = int.MaxValue;
            foreach (SrvRecord record in records)
            {
                ttl = Math.Min(ttl, record.InitialTimeToLive);
                foreach (IPAddress address in await AddressesAsync(record.Target, response, cancellation).ConfigureAwait(false))
                {
                    if (targets.Count < MaxTargets)
                    {
                        targets.Add(new SrvTarget(record.Priority, record.Weight, new IPEndPoint(address, record.Port)));
                    }
                }
            }

            return new SrvAnswer(targets, TimeSpan.FromSeconds(Math.Max(0, ttl)), targets.Count == 0 ? "no address for any SRV target" : null);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Whatever a server sends (truncated, malformed, hostile) ends here, never in the proxy.
            return SrvAnswer.Failed(e.Message);
        }
    }

    private async Task<IReadOnlyList<IPAddress>> AddressesAsync(DnsString target, IDnsQueryResponse response, CancellationToken cancellation)
    {
        IPAddress[] given = response.Additionals.OfType<AddressRecord>()
            .Where(r => r.DomainName.Value.Equals(target.Value, StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Address)
            .ToArray();
        if (given.Length > 0)
        {
            return given;
        }

        foreach (QueryType type in new[] { QueryType.A, QueryType.AAAA })
        {
            IDnsQueryResponse answer = await _client.QueryAsync(target.Value, type, QueryClass.IN, cancellation).ConfigureAwait(false);
            IPAddress[] found = answer.HasError ? [] : answer.Answers.OfType<AddressRecord>().Select(r => r.Address).ToArray();
            if (found.Length > 0)
            {
                return found;
            }
        }

        return [];
    }
}
