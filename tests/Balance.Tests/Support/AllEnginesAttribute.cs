using System.Reflection;
using Xunit.Sdk;

namespace Balance.Tests.Support;

/// <summary>
/// The data of a theory that runs once on every relay engine available on this
/// machine (<see cref="Engines.Available"/>): the engine's name is the first
/// argument, followed by the ones given here. <c>[Theory, AllEngines]</c> for
/// <c>Test(string engine)</c>; <c>[Theory, AllEngines(15), AllEngines(2)]</c>
/// for <c>Test(string engine, int signal)</c>, each signal on each engine.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class AllEnginesAttribute : DataAttribute
{
    private readonly object[] _more;

    public AllEnginesAttribute(params object[] more)
    {
        _more = more;
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        Engines.Available.Select(engine => new object[] { engine }.Concat(_more).ToArray());
}
