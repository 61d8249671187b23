
namespace Balance.ConnectionLog;

/// <summary>
/// --log-connections: ended connections wait here for the log's own thread,
/// which formats and writes them. A relay thread only copies a value in under
/// a short lock (once per connection, never per chunk) and never waits: when
/// the queue is full (the sink is slow or stuck) the line is dropped and
/// counted, and the drops are told in the log at most once per interval.
/// </summary>
internal sealed class ConnectionLogQueue : IDisposable
{
    public const int DefaultCapacity = 8192;

    public static readonly TimeSpan DropReportInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long the thread sleeps when the queue is empty: lines are written within this.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    private readonly ConnectionRecord[] _ring;
    private readonly object _lock = new();
    private readonly IConnectionLineFormat _format;
    private readonly Action<string> _sink;
    private readonly Action<string> _notice;
    private readonly TimeProvider _clock;
    private readonly ManualResetEventSlim _stop = new();
    private Thread? _thread;
    private int _head;
    private int _count;
    private long _dropped;
    private long _droppedTold;
    private long _lastDropReport = -1;

    /// <param name="sink">Writes one formatted line (stderr or syslog); may block, only this queue's thread waits on it.</param>
    /// <param name="notice">Tells of dropped lines.</param>
    public ConnectionLogQueue(IConnectionLineFormat format, Action<string> sink, Action<string> notice, TimeProvider clock, int capacity = DefaultCapacity)
    {
        _ring = new ConnectionRecord[capacity];
        _format = format;
        _sink = sink;
        _notice = notice;
        _clock = clock;
    }

    /// <summary>Lines waiting in the queue.</summary>
    internal bool DrainPending
    {
        get
        {
            lock (_lock)
            {
                return _count > 0;
            }
        }
    }

    /// <summary>Lines dropped so far because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one ended connection; false (and counted) when the queue is full. Never waits for the sink.</summary>
    public bool Add(in ConnectionRecord record)
    {
        lock (_lock)
        {
            if (_count == _ring.Length)
            {
                _dropped++;
                return false;
            }

            _ring[(_head + _count) % _ring.Length] = record;
            _count++;
            return true;
        }
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "connection log" };
        _thread.Start();
    }

    /// <summary>Writes what is queued, then stops the thread.</summary>
    public void Dispose()
    {
        _stop.Set();
        _thread?.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsSet)
        {
            if (!DrainOnce())
            {
                _stop.Wait(Pause);
            }
        }

        DrainOnce();
        ReportDrops(force: true);
    }

    /// <summary>Writes the lines queued now; false when there were none. The sink is called outside the lock.</summary>
    internal bool DrainOnce()
    {
        ReportDrops(force: false);
        ConnectionRecord[] taken;
        int count;
        lock (_lock)
        {
            count = Math.Min(_count, 256);
            if (count == 0)
            {
                return false;
            }

            taken = new ConnectionRecord[count];
            for (int i = 0; i < count; i++)
            {
                taken[i] = _ring[(_head + i) % _ring.Length];
                _ring[(_head + i) % _ring.Length] = default;
            }

            _head = (_head + count) % _ring.Length;
            _count -= count;
        }

        foreach (ConnectionRecord record in taken)
        {
            _sink(_format.Format(record));
        }

        return true;
    }

    private void ReportDrops(bool force)
    {
        long dropped;
        lock (_lock)
        {
            dropped = _dropped;
        }

        long now = _clock.Milliseconds();
        if (dropped == _droppedTold || (!force && _lastDropReport >= 0 && now - _lastDropReport < (long)DropReportInterval.TotalMilliseconds))
        {
            return;
        }

        _notice($"connection log: {dropped - _droppedTold} lines dropped, the log could not keep up ({dropped} in all)");
        _droppedTold = dropped;
        _lastDropReport = now;
    }
}
