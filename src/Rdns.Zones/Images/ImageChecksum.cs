using System.Runtime.InteropServices;

namespace Rdns.Zones.Images;

/// <summary>
/// A 64-bit checksum of a zone image: four multiply-rotate lanes over 8-octet words (several
/// GB/s, so checking a large image costs milliseconds), fed in 32-octet blocks as the image is
/// written. It finds damage — a truncated or partly overwritten file — not tampering: the image
/// lives beside the store, trusted alike.
/// </summary>
internal sealed class ImageChecksum
{
    public const int BlockSize = 32;

    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    private ulong _a = Prime1, _b = Prime2, _c = 1, _d = ~Prime1;

    public static ulong Of(ReadOnlySpan<byte> octets)
    {
        var checksum = new ImageChecksum();
        int whole = octets.Length & ~(BlockSize - 1);
        checksum.Blocks(octets[..whole]);
        return checksum.Finish(octets[whole..], octets.Length);
    }

    /// <summary>Adds whole blocks (a multiple of <see cref="BlockSize"/> octets).</summary>
    public void Blocks(ReadOnlySpan<byte> octets)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(octets);
        ulong a = _a, b = _b, c = _c, d = _d;
        for (int i = 0; i + 4 <= words.Length; i += 4)
        {
            a = Round(a, words[i]);
            b = Round(b, words[i + 1]);
            c = Round(c, words[i + 2]);
            d = Round(d, words[i + 3]);
        }
        (_a, _b, _c, _d) = (a, b, c, d);
    }

    /// <summary>The checksum, given the octets after the last whole block and the length of everything.</summary>
    public ulong Finish(ReadOnlySpan<byte> rest, long length)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(rest);
        ulong a = _a;
        foreach (ulong word in words)
            a = Round(a, word);
        ulong tail = 0;
        foreach (var octet in rest[(words.Length * 8)..])
            tail = tail << 8 | octet;
        a = Round(a, tail);
        ulong h = ulong.RotateLeft(a, 1) + ulong.RotateLeft(_b, 7) + ulong.RotateLeft(_c, 12) + ulong.RotateLeft(_d, 18);
        h ^= (ulong)length * Prime2;
        h ^= h >> 33;
        h *= Prime2;
        h ^= h >> 29;
        return h;
    }

    private static ulong Round(ulong acc, ulong word) => ulong.RotateLeft(acc + word * Prime2, 31) * Prime1;
}
