namespace Balance.ConnectionLog;

/// <summary>How one ended connection is written: <see cref="ConnectionLogText"/> or <see cref="ConnectionLogJson"/>.</summary>
internal interface IConnectionLineFormat
{
    string Format(in ConnectionRecord record);
}
