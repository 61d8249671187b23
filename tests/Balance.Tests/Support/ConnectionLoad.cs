using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Balance.Tests.Support;

/// <summary>
/// New connections at a steady rate through a port, each one a short echo
/// exchange with a <see cref="TestBackend.Behaviour.GreetThenEcho"/> backend:
/// read the greeting line, send 8 bytes, get them back, close. Every outcome is
/// counted. Bounded in count and time; stops at <see cref="StopAsync"/>.
/// </summary>
internal sealed class ConnectionLoad
{
    private static readonly TimeSpan ExchangeTimeout = TimeSpan.FromSeconds(10);

    private readonly int _port;
    private readonly double _intervalMs;
    private readonly long _maxConnections;
    private readonly TimeSpan _maxDuration;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _next = -1;
    private int _made;
    private int _answered;
    private int _refused;
    private int _reset;
    private int _unanswered;
    private string? _firstFailure;

    public ConnectionLoad(int port, int perSecond, int workers, long maxConnections, TimeSpan maxDuration)
    {
        _port = port;
        _intervalMs = 1000.0 / perSecond;
        _maxConnections = maxConnections;
        _maxDuration = maxDuration;
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public int Made => Volatile.Read(ref _made);

    public int Answered => Volatile.Read(ref _answered);

    public int Refused => Volatile.Read(ref _refused);

    public int Reset => Volatile.Read(ref _reset);

    public int Unanswered => Volatile.Read(ref _unanswered);

    public string? FirstFailure => Volatile.Read(ref _firstFailure);

    public TimeSpan Elapsed => _clock.Elapsed;

    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_workers);
    }

    public override string ToString() =>
        $"{Made} connections in {Elapsed.TotalSeconds:F1} s: {Answered} answered, {Refused} refused, {Reset} reset, {Unanswered} unanswered"
        + (FirstFailure is null ? "" : $"; first failure: {FirstFailure}");

    private async Task WorkAsync()
    {
        byte[] ping = "ping-123"u8.ToArray();
        byte[] answer = new byte[ping.Length];
        while (!_stop.IsCancellationRequested)
        {
            long slot = Interlocked.Increment(ref _next);
            double dueMs = slot * _intervalMs;
            if (slot >= _maxConnections || dueMs > _maxDuration.TotalMilliseconds)
            {
                return;
            }

            double wait = dueMs - _clock.Elapsed.TotalMilliseconds;
            if (wait > 1)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            Interlocked.Increment(ref _made);
            await ExchangeAsync(ping, answer);
        }
    }

    private async Task ExchangeAsync(byte[] ping, byte[] answer)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(ExchangeTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), timeout.Token);
            byte[] one = new byte[1];
            do
            {
                if (await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 0)
                {
                    Fail(ref _unanswered, "closed before the greeting");
                    return;
                }
            }
            while (one[0] != '\n');

            await socket.SendAsync(ping, SocketFlags.None, timeout.Token);
            await Traffic.ReadExactlyAsync(socket, answer, timeout.Token);
            if (!answer.AsSpan().SequenceEqual(ping))
            {
                Fail(ref _unanswered, "a wrong answer");
                return;
            }

            Interlocked.Increment(ref _answered);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            Fail(ref _refused, "refused");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            Fail(ref _reset, "reset");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or EndOfStreamException)
        {
            Fail(ref _unanswered, e.Message);
        }
    }

    private void Fail(ref int counter, string what)
    {
        Interlocked.Increment(ref counter);
        Interlocked.CompareExchange(ref _firstFailure, $"{what} at {_clock.Elapsed.TotalSeconds:F2} s", null);
    }
}
