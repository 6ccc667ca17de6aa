using System.Diagnostics.CodeAnalysis;

namespace Rdns.Fuzz;

internal static class FuzzTargets
{
    public static readonly string[] Names = ["packet", "zonefile", "tsig", "json", "update"];

    public static bool TryCreate(string name, [NotNullWhen(true)] out IFuzzTarget? target)
    {
        target = name switch
        {
            "packet" => new PacketTarget(),
            "zonefile" => new ZoneFileTarget(),
            "tsig" => new TsigTarget(),
            "json" => new JsonTarget(),
            "update" => new UpdateTarget(),
            "selftest" => new SelfTestTarget(),
            _ => null,
        };
        return target is not null;
    }

    /// <summary>Fails the execution when <paramref name="condition"/> is false.</summary>
    public static void Check([DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition)
            throw new InvariantViolation(what);
    }
}
