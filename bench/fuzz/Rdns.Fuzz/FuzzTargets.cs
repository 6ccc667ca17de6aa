using System.Diagnostics.CodeAnalysis;

namespace Rdns.Fuzz;

/// <summary>One entry point of the product that takes untrusted bytes.</summary>
internal interface IFuzzTarget
{
    /// <summary>
    /// Feeds one input. Returns normally when the product behaved as documented (including the
    /// errors it documents); anything that escapes is a finding: a crash for AFL.
    /// </summary>
    void Run(ReadOnlySpan<byte> input);
}

/// <summary>
/// Checks the fuzzing setup rather than the product (<c>run.sh selftest</c>): an input starting
/// with "crash" throws, so afl-fuzz must refuse that seed, which proves inputs reach the target
/// and exceptions reach afl-fuzz.
/// </summary>
internal sealed class SelfTest : IFuzzTarget
{
    public void Run(ReadOnlySpan<byte> input)
    {
        // Some instrumented code, or afl-fuzz stops before the seeds with "no instrumentation".
        Protocol.Wire.DnsHeader.TryRead(input, out _);
        if (input.StartsWith("crash"u8))
            throw new InvariantViolation("the self-test input");
    }
}

/// <summary>A documented property of the product's answer did not hold; a finding like a crash.</summary>
internal sealed class InvariantViolation(string message) : Exception(message);

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
            "selftest" => new SelfTest(),
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

/// <summary>Runs inputs through a target without AFL: to check seeds and to reproduce findings.</summary>
internal static class Replay
{
    public static int Run(IFuzzTarget target, IEnumerable<string> paths)
    {
        int failed = 0, total = 0;
        foreach (var path in paths)
        {
            var files = Directory.Exists(path) ? Directory.GetFiles(path).Order(StringComparer.Ordinal) : (IEnumerable<string>)[path];
            foreach (var file in files)
            {
                total++;
                try
                {
                    target.Run(File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine($"{file}: {e}");
                }
            }
        }
        Console.WriteLine($"{total} inputs, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
