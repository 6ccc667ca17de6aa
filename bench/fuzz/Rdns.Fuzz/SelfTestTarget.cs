namespace Rdns.Fuzz;

/// <summary>
/// Checks the fuzzing setup rather than the product (<c>run.sh selftest</c>): an input starting
/// with "crash" throws, so afl-fuzz must refuse that seed, which proves inputs reach the target
/// and exceptions reach afl-fuzz.
/// </summary>
internal sealed class SelfTestTarget : IFuzzTarget
{
    public void Run(ReadOnlySpan<byte> input)
    {
        // Some instrumented code, or afl-fuzz stops before the seeds with "no instrumentation".
        Protocol.Wire.DnsHeader.TryRead(input, out _);
        if (input.StartsWith("crash"u8))
            throw new InvariantViolation("the self-test input");
    }
}
