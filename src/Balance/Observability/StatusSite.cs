using System.Buffers;
using System.Text;
using Balance.Control;
using Balance.Routing;

namespace Balance.Observability;

/// <summary>
/// What the HTTP endpoint serves, all read-only: <c>/metrics</c> for
/// Prometheus, <c>/status.json</c> (the control command <c>show json</c>,
/// written by the same formatter) and <c>/</c>, the status page that reads it.
/// </summary>
internal sealed class StatusSite
{
    public const string MetricsPath = "/metrics";
    public const string StatusJsonPath = "/status.json";
    public const string PagePath = "/";

    private readonly RoutingTable _table;
    private readonly MetricsExporter _metrics;
    private readonly int _pid;

    public StatusSite(RoutingTable table, MetricsExporter metrics, int pid)
    {
        _table = table;
        _metrics = metrics;
        _pid = pid;
    }

    /// <summary>Writes the body for <paramref name="path"/>; returns the status and content type (404 for an unknown path).</summary>
    public (int Status, string ContentType) Write(string path, IBufferWriter<byte> body)
    {
        switch (path)
        {
            case MetricsPath:
                _metrics.Write(body);
                return (200, ExpositionWriter.ContentType);
            case StatusJsonPath:
                Utf8(body, ShowJsonFormatter.Format(_table.Snapshot(), _pid));
                return (200, "application/json");
            case PagePath:
                body.Write(StatusPage.Html);
                return (200, "text/html; charset=utf-8");
            default:
                Utf8(body, "404 Not Found\n");
                return (404, "text/plain; charset=utf-8");
        }
    }

    private static void Utf8(IBufferWriter<byte> body, string text)
    {
        Span<byte> span = body.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        body.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
