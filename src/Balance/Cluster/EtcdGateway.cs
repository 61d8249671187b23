using System.Net.Http.Headers;
using System.Text;

namespace Balance.Cluster;

/// <summary>
/// etcd through its JSON gateway (<c>/v3/kv/range</c>, <c>/v3/kv/put</c>,
/// <c>/v3/watch</c>) over HTTP/1.1. Each call goes to the endpoint that
/// answered last; a failure moves on to the next of --etcd.
/// </summary>
internal sealed class EtcdGateway : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly HttpClient _http;
    private int _current;

    public EtcdGateway(IReadOnlyList<Uri> endpoints)
    {
        _endpoints = endpoints;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = RequestTimeout,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<(long Revision, List<EtcdKeyValue> Values)> RangeAsync(string prefix, CancellationToken cancellation) =>
        EtcdJson.ReadRange(await PostAsync("/v3/kv/range", EtcdJson.RangeRequest(prefix), cancellation).ConfigureAwait(false));

    public async Task<long> PutAsync(string key, string value, CancellationToken cancellation) =>
        EtcdJson.ReadPut(await PostAsync("/v3/kv/put", EtcdJson.PutRequest(key, value), cancellation).ConfigureAwait(false));

    /// <summary>
    /// Follows every change below <paramref name="prefix"/> from
    /// <paramref name="startRevision"/> on, handing each batch to
    /// <paramref name="onEvents"/>; returns when the stream ends, throws when it fails.
    /// </summary>
    public async Task WatchAsync(string prefix, long startRevision, Action<List<EtcdKeyValue>> onEvents, Action onStarted, CancellationToken cancellation)
    {
        using var request = Request("/v3/watch", EtcdJson.WatchRequest(prefix, startRevision));
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        using var reader = new StreamReader(body, Encoding.UTF8);
        onStarted();
        while (await reader.ReadLineAsync(cancellation).ConfigureAwait(false) is string line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length > 16 * 1024 * 1024)
            {
                throw new FormatException("watch message too long");
            }

            (List<EtcdKeyValue> events, bool ended) = EtcdJson.ReadWatch(line);
            if (events.Count > 0)
            {
                onEvents(events);
            }

            if (ended)
            {
                return;
            }
        }
    }

    private async Task<byte[]> PostAsync(string path, byte[] body, CancellationToken cancellation)
    {
        Exception? last = null;
        for (int tried = 0; tried < _endpoints.Count; tried++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(RequestTimeout);
                using var request = Request(path, body);
                using HttpResponseMessage response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                last = e;
                _current = (_current + 1) % _endpoints.Count;
            }
        }

        throw new HttpRequestException($"no etcd endpoint answered: {last?.Message}", last);
    }

    /// <summary>After a watch failed: the next call goes to the next endpoint.</summary>
    public void MoveOn() => _current = (_current + 1) % _endpoints.Count;

    private HttpRequestMessage Request(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, new Uri(_endpoints[_current], path)) { Content = content };
    }

    public void Dispose() => _http.Dispose();
}
