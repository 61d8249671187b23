using System.Globalization;
using System.Net;
using Balance.CommandLine;
using Balance.Proxy;
using Balance.Routing;

namespace Balance.Control;

/// <summary>
/// Runs one parsed command against the routing table and words the answer as
/// the original did. The shell's current group comes with every command.
/// Name resolution is asynchronous so a slow resolver holds up nothing else.
/// </summary>
internal sealed class CommandExecutor
{
    public delegate Task<IPAddress?> Resolver(string host, CancellationToken cancellation);

    private readonly RoutingTable _table;
    private readonly Resolver _resolve;
    private readonly string _servicesFile;
    private readonly int _pid;
    private readonly IOperatorChanges? _shared;

    public CommandExecutor(RoutingTable table, Resolver? resolve = null, string servicesFile = "/etc/services", int? pid = null, IOperatorChanges? shared = null)
    {
        _table = table;
        _shared = shared;
        _resolve = resolve ?? ResolveWithSystem;
        _servicesFile = servicesFile;
        _pid = pid ?? Environment.ProcessId;
    }

    public Task<ControlReply> ExecuteAsync(int group, string line, CancellationToken cancellation = default) =>
        ExecuteAsync(group, CommandParser.Parse(line), cancellation);

    public async Task<ControlReply> ExecuteAsync(int group, ControlCommand command, CancellationToken cancellation = default)
    {
        string text = command.Kind switch
        {
            CommandKind.Empty => "",
            CommandKind.Quit => "",
            CommandKind.Kill => "",
            CommandKind.Show => command.Json
                ? ShowJsonFormatter.Format(_table.Snapshot(), _pid, _table.QueueStatus)
                : ShowFormatter.Table(_table.Snapshot()),
            CommandKind.Help => ControlTexts.Help,
            CommandKind.Version => ControlTexts.VersionReport(),
            CommandKind.Group => RoutingTable.IsValidGroup(Clamp(command.First)) ? "" : "value out of range\n",
            CommandKind.Disable => SetEnabled(group, command.First, enabled: false),
            CommandKind.Enable => SetEnabled(group, command.First, enabled: true),
            CommandKind.Reset => Reset(group, command.First),
            CommandKind.Maxc => Maxc(group, command.First, command.Second),
            CommandKind.MrtgBytes => Mrtg(command.First, command.Second, MrtgFormatter.Bytes),
            CommandKind.MrtgConns => Mrtg(command.First, command.Second, MrtgFormatter.Connections),
            CommandKind.Hash => SetType(group, GroupType.Hash),
            CommandKind.RoundRobin => SetType(group, GroupType.RoundRobin),
            CommandKind.LeastConnections => SetType(group, GroupType.LeastConnections),
            CommandKind.Weight => Weight(group, command.First, command.Second),
            CommandKind.Create => await CreateAsync(group, command.Host!, command.Port!, cancellation).ConfigureAwait(false),
            CommandKind.Assign => await AssignAsync(group, command.First, command.Host!, command.Port!, cancellation).ConfigureAwait(false),
            _ => ControlTexts.SyntaxError,
        };

        return command.Kind switch
        {
            CommandKind.Group when text.Length == 0 => new ControlReply(text, Clamp(command.First)),
            CommandKind.Quit => new ControlReply(text, group, ReplyAction.Quit),
            CommandKind.Kill => new ControlReply(text, group, ReplyAction.Kill),
            _ => new ControlReply(text, group),
        };
    }

    /// <summary>Numbers beyond int are out of every range; -1 keeps them so.</summary>
    private static int Clamp(long value) => value is >= 0 and <= int.MaxValue ? (int)value : -1;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private string SetEnabled(int group, long channel, bool enabled)
    {
        string done = enabled ? "enabled" : "disabled";
        return Shared(group, channel, SharedAttribute.Enabled, enabled ? "1" : "0", () => _table.SetEnabled(group, Clamp(channel), enabled)) switch
        {
            ControlResult.Done => Invariant($"channel {channel} {done}\n"),
            ControlResult.Unchanged => Invariant($"channel {channel} already {done}\n"),
            _ => Invariant($"no such channel {channel}\n"),
        };
    }

    /// <summary>
    /// Makes a change here and, with --etcd, hands it to the other instances,
    /// naming the channel by its address (<see cref="IOperatorChanges.Apply"/>).
    /// </summary>
    private ControlResult Shared(int group, long channel, SharedAttribute attribute, string value, Func<ControlResult> local) =>
        _shared is not null && _table.Status(group, Clamp(channel)) is ChannelStatus row
            ? _shared.Apply(new OperatorChange(group, row.EndPoint, attribute, value), local)
            : local();

    private string Reset(int group, long channel) =>
        _table.ResetCounters(group, Clamp(channel)) == ControlResult.Done
            ? Invariant($"channel {channel} counters reset\n")
            : Invariant($"no such channel {channel}\n");

    private string Maxc(int group, long channel, long maxc)
    {
        if (_table.Status(group, Clamp(channel)) is null)
        {
            return "unknown channel\n";
        }

        if (maxc is < 0 or > int.MaxValue)
        {
            return "value out of range\n";
        }

        return Shared(group, channel, SharedAttribute.Maxc, Invariant($"{maxc}"), () => _table.SetMaxConnections(group, Clamp(channel), (int)maxc)) == ControlResult.Done
            ? Invariant($"maxc of channel {channel} changed to {maxc}\n")
            : "unknown channel\n";
    }

    /// <summary>Worded as <c>maxc</c>: a bad channel is <c>unknown channel</c>, a weight outside 1 to 1000 <c>value out of range</c>.</summary>
    private string Weight(int group, long channel, long weight)
    {
        if (_table.Status(group, Clamp(channel)) is null)
        {
            return "unknown channel\n";
        }

        if (weight is < Channel.MinWeight or > Channel.MaxWeight)
        {
            return "value out of range\n";
        }

        return Shared(group, channel, SharedAttribute.Weight, Invariant($"{weight}"), () => _table.SetWeight(group, Clamp(channel), (int)weight)) == ControlResult.Done
            ? Invariant($"weight of channel {channel} changed to {weight}\n")
            : "unknown channel\n";
    }

    private string Mrtg(long group, long channel, Func<ChannelStatus, string> format)
    {
        if (!RoutingTable.IsValidGroup(Clamp(group)))
        {
            return "unknown group\n";
        }

        return _table.Status(Clamp(group), Clamp(channel)) is ChannelStatus row ? format(row) : "unknown channel\n";
    }

    private string SetType(int group, GroupType type)
    {
        _ = _table.SetType(group, type);
        return Invariant($"group {group} set to {type.Description}\n");
    }

    private async Task<string> CreateAsync(int group, string host, string portText, CancellationToken cancellation)
    {
        if (_table.ChannelCount(group) >= Limits.MaxChannels)
        {
            return "no channel slots available\n";
        }

        IPEndPoint? endPoint = await EndPointAsync(host, portText, cancellation).ConfigureAwait(false);
        if (endPoint is null)
        {
            return "invalid address\n";
        }

        ControlResult created = _table.Create(group, endPoint);
        if (created == ControlResult.Done)
        {
            _shared?.Changed(new OperatorChange(group, endPoint, SharedAttribute.Enabled, "0"));
        }

        return created switch
        {
            ControlResult.Done => "channel created\n",
            ControlResult.NoSlots => "no channel slots available\n",
            _ => "value out of range\n",
        };
    }

    private async Task<string> AssignAsync(int group, long channel, string host, string portText, CancellationToken cancellation)
    {
        ChannelStatus? status = _table.Status(group, Clamp(channel));
        if (status is null)
        {
            return "unknown channel\n";
        }

        if (status.Value.Enabled)
        {
            return "channel must be disabled to assign new address\n";
        }

        IPEndPoint? endPoint = await EndPointAsync(host, portText, cancellation).ConfigureAwait(false);
        if (endPoint is null)
        {
            return "invalid address\n";
        }

        ControlResult assigned = _table.Assign(group, Clamp(channel), endPoint);
        if (assigned == ControlResult.Done)
        {
            _shared?.Changed(new OperatorChange(group, endPoint, SharedAttribute.From, status.Value.EndPoint.ToString()));
        }

        return assigned switch
        {
            ControlResult.Done => "channel reassigned\n",
            ControlResult.MustBeDisabled => "channel must be disabled to assign new address\n",
            _ => "unknown channel\n",
        };
    }

    /// <summary>Host and port of create and assign; a bad port is an invalid address too.</summary>
    private async Task<IPEndPoint?> EndPointAsync(string host, string portText, CancellationToken cancellation)
    {
        if (!PortParser.TryParse(portText, _servicesFile, out int port))
        {
            return null;
        }

        IPAddress? address = await _resolve(host, cancellation).ConfigureAwait(false);
        return address is null ? null : new IPEndPoint(address, port);
    }

    /// <summary>The resolver the command line uses, off the caller's thread: it may wait on DNS.</summary>
    private static Task<IPAddress?> ResolveWithSystem(string host, CancellationToken cancellation) =>
        Task.Run(() => AddressResolver.TryResolve(host, preferIPv6: false, out IPAddress? address) ? address : null, cancellation);
}
