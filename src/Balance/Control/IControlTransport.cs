namespace Balance.Control;

/// <summary>Carries one command to the instance and brings its answer back.</summary>
internal interface IControlTransport
{
    /// <summary>Throws <see cref="ControlUnavailableException"/> when the instance cannot be reached.</summary>
    ControlReply Execute(int group, string line);
}
