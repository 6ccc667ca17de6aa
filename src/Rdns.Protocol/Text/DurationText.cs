namespace Rdns.Protocol.Text;

/// <summary>
/// TTLs and SOA timers in zone files: plain seconds (RFC 1035 §5.1) or BIND's units
/// <c>w d h m s</c>, any case, as in <c>1w2d3h4m5s</c>.
/// </summary>
public static class DurationText
{
    /// <summary>RFC 2181 §8: a TTL is an unsigned 31-bit number; the top bit must be clear.</summary>
    public const uint MaxTtl = int.MaxValue;

    /// <summary>
    /// Parses seconds or a duration with units. Either the whole text is digits, or every number
    /// carries a unit: BIND refuses <c>1h30</c>, and a file that only we accept is a trap.
    /// Fails on anything else and on values above 2^32-1.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out uint seconds)
    {
        seconds = 0;
        if (text.IsEmpty)
            return false;
        ulong total = 0, number = 0;
        bool inNumber = false, sawUnit = false;
        foreach (char c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                number = number * 10 + (ulong)(c - '0');
                if (number > uint.MaxValue)
                    return false;
                inNumber = true;
                continue;
            }
            if (!inNumber)
                return false;
            ulong unit = char.ToLowerInvariant(c) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 604800,
                _ => 0,
            };
            if (unit == 0)
                return false;
            total += number * unit;
            if (total > uint.MaxValue)
                return false;
            number = 0;
            inNumber = false;
            sawUnit = true;
        }
        if (inNumber)
        {
            if (sawUnit)
                return false;
            total = number;
        }
        seconds = (uint)total;
        return true;
    }

    /// <summary>Parses a TTL: a duration no larger than <see cref="MaxTtl"/>.</summary>
    public static bool TryParseTtl(ReadOnlySpan<char> text, out uint ttl, out string? error)
    {
        if (!TryParse(text, out ttl))
        {
            error = $"TTL '{text}' is not a number or a duration";
            return false;
        }
        if (ttl > MaxTtl)
        {
            error = $"TTL '{text}' is above {MaxTtl} (RFC 2181 §8)";
            return false;
        }
        error = null;
        return true;
    }
}
