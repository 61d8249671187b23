namespace Balance.Control;

/// <summary>What the shell does after a command, besides printing its text.</summary>
internal enum ReplyAction
{
    None,
    Quit,
    Kill,
}

/// <summary>
/// A command's output, the shell's current group afterwards, and what happens
/// next; after <c>kill</c>, how long the instance lets relays in flight finish
/// (the shell waits that long, and a little more, for it to be gone).
/// </summary>
internal readonly record struct ControlReply(string Text, int Group, ReplyAction Action = ReplyAction.None, int DrainSeconds = 0);
