using System.Net;
using System.Net.Sockets;
using System.Text;
using Balance.Hosting;
using Balance.Observability;
using Balance.Routing;
using Balance.Tests.Support;
using static Balance.Tests.Routing.RoutingTestHelpers;

namespace Balance.Tests.Observability;

/// <summary>The HTTP server in process, on a loopback port of its own, with its limits made small.</summary>
public sealed class HttpStatusServerTests : IDisposable
{
    private readonly HttpStatusServer _server;

    public HttpStatusServerTests()
    {
        var table = new RoutingTable([Rr(0, 2)]);
        var connects = new ConnectMetrics(table.Snapshot());
        var site = new StatusSite(table, new MetricsExporter(table, connects), pid: 4242);
        var limits = new HttpLimits { MaxHeadBytes = 1024, HeadTimeout = TimeSpan.FromMilliseconds(500), MaxConnections = 4 };
        _server = HttpStatusServer.Start(new IPEndPoint(IPAddress.Loopback, 0), site, new Log(debug: false), limits);
    }

    private int Port => _server.LocalEndPoint.Port;

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Metrics_are_served_with_the_exposition_content_type_and_length()
    {
        HttpAnswer answer = await HttpAnswer.ExchangeAsync(Port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(200, answer.Status);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", answer.Header("Content-Type"));
        Assert.Equal(Encoding.UTF8.GetByteCount(answer.Body), int.Parse(answer.Header("Content-Length")!));
        Assert.Equal("close", answer.Header("Connection"));
        Assert.Equal(2, Exposition.Parse(answer.Body).Count(s => s.Name == "balance_channel_enabled"));
    }

    [Fact]
    public async Task Status_json_is_show_json()
    {
        HttpAnswer answer = await HttpAnswer.ExchangeAsync(Port, "GET /status.json HTTP/1.1\r\n\r\n");

        Assert.Equal(200, answer.Status);
        Assert.Equal("application/json", answer.Header("Content-Type"));
        Assert.StartsWith($"{{\"version\":\"{Balance.Version.Text}\",\"pid\":4242,\"groups\":[{{\"group\":0,", answer.Body);
    }

    [Fact]
    public async Task The_page_is_html_with_nothing_fetched_from_elsewhere()
    {
        HttpAnswer answer = await HttpAnswer.ExchangeAsync(Port, "GET / HTTP/1.0\r\n\r\n");

        Assert.Equal(200, answer.Status);
        Assert.Equal("text/html; charset=utf-8", answer.Header("Content-Type"));
        Assert.Contains("<script>", answer.Body);
        Assert.Contains("fetch(\"status.json\"", answer.Body);
        Assert.DoesNotContain("http://", answer.Body);
        Assert.DoesNotContain("https://", answer.Body);
        Assert.DoesNotContain(" src=", answer.Body);
    }

    [Fact]
    public async Task Head_has_the_length_of_the_body_but_no_body()
    {
        HttpAnswer get = await HttpAnswer.ExchangeAsync(Port, "GET / HTTP/1.1\r\n\r\n");
        HttpAnswer head = await HttpAnswer.ExchangeAsync(Port, "HEAD / HTTP/1.1\r\n\r\n");

        Assert.Equal(200, head.Status);
        Assert.Equal(get.Header("Content-Length"), head.Header("Content-Length"));
        Assert.Equal("", head.Body);
    }

    [Theory]
    [InlineData("GET /nowhere HTTP/1.1\r\n\r\n", 404)]
    [InlineData("GET /metrics/ HTTP/1.1\r\n\r\n", 404)]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 405)]
    [InlineData("PUT / HTTP/1.1\r\n\r\n", 405)]
    [InlineData("GET / HTTP/3\r\n\r\n", 505)]
    [InlineData("\0\0\0\0garbage\n\n", 400)]
    public async Task Other_requests_get_an_error_and_the_connection_closes(string request, int status)
    {
        HttpAnswer answer = await HttpAnswer.ExchangeAsync(Port, request);

        Assert.Equal(status, answer.Status);
        Assert.Equal(status == 405 ? "GET, HEAD" : null, answer.Header("Allow"));
    }

    [Fact]
    public async Task A_head_over_the_limit_is_431_and_a_long_request_line_414()
    {
        HttpAnswer headers = await HttpAnswer.ExchangeAsync(Port, "GET / HTTP/1.1\r\n" + new string('X', 2000), halfClose: false);
        HttpAnswer line = await HttpAnswer.ExchangeAsync(Port, "GET /" + new string('a', 100_000), halfClose: false);

        Assert.Equal(431, headers.Status);
        Assert.Equal(414, line.Status);
    }

    [Fact]
    public async Task A_client_that_does_not_finish_its_head_in_time_gets_408_and_is_closed()
    {
        using Socket client = await TestClient.ConnectAsync(Port);
        await client.SendAsync("GET /metrics HTTP/1.1\r\n"u8.ToArray(), SocketFlags.None);
        var started = System.Diagnostics.Stopwatch.StartNew();

        string answer = Encoding.ASCII.GetString(await TestClient.ReadToEndAsync(client));

        Assert.StartsWith("HTTP/1.1 408 ", answer);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Over_the_connection_cap_a_client_gets_503_at_once_and_the_others_are_served_after()
    {
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                idle.Add(await TestClient.ConnectAsync(Port));
            }

            await Poll.UntilAsync(() => _server.Connections == 4, TimeSpan.FromSeconds(10), "four connections being served");
            // Refused at once: a 503 when the client reads it before its request
            // reaches the closed socket, else a reset. Either way, not served.
            using Socket refused = await TestClient.ConnectAsync(Port);
            string answer = "";
            try
            {
                answer = Encoding.ASCII.GetString(await TestClient.ReadToEndAsync(refused, TimeSpan.FromSeconds(5)));
            }
            catch (SocketException)
            {
            }

            Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 503 ", StringComparison.Ordinal), answer);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }

        await Poll.UntilAsync(() => _server.Connections == 0, TimeSpan.FromSeconds(10), "the idle connections to end");
        Assert.Equal(200, (await HttpAnswer.ExchangeAsync(Port, "GET /metrics HTTP/1.1\r\n\r\n")).Status);
    }

    [Fact]
    public void A_port_in_use_is_an_os_error_naming_the_address()
    {
        var error = Assert.Throws<BalanceException>(() =>
            HttpStatusServer.Start(_server.LocalEndPoint, new StatusSite(new RoutingTable([Rr(0, 1)]), null!, 1), new Log(false)));

        Assert.Equal(ExitCodes.OsError, error.ExitCode);
        Assert.Equal($"balance: --http: cannot listen on 127.0.0.1:{Port}: Address already in use", error.Message);
    }
}
