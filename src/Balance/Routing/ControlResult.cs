namespace Balance.Routing;

/// <summary>Outcome of a change asked for through the control interface.</summary>
internal enum ControlResult
{
    Done,
    Unchanged,
    NoSuchGroup,
    NoSuchChannel,
    NoSlots,
    MustBeDisabled,
}
