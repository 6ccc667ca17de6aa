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
