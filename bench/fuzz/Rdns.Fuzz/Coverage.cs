namespace Rdns.Fuzz;

/// <summary>Where instrumented code records coverage before SharpFuzz's fork server starts.</summary>
internal static class Coverage
{
    /// <summary>AFL's default map: 64 KiB (SharpFuzz uses the same).</summary>
    private const int MapSize = 1 << 16;

    public static unsafe void UseScratchMap()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
            SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(MapSize);
    }
}
