using System.Globalization;
using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Text;

/// <summary>
/// BIND's <c>$GENERATE range lhs [ttl] [class] type rhs</c> (BIND 9 ARM, "The $GENERATE
/// Directive"). Expanded lazily, one record per call, so a large range costs no memory. The
/// template rules follow BIND: <c>$</c> is the iterator, <c>${offset[,width[,base]]}</c> adjusts it,
/// <c>$$</c> and <c>\$</c> are a literal dollar sign, and the rhs is parsed as RDATA text after
/// substitution (so its quotes group words but do not survive).
/// </summary>
internal sealed class GenerateDirective
{
    private readonly long _stop;
    private readonly long _step;
    private long _next;

    private GenerateDirective(long start, long stop, long step, GenerateTemplate owner, GenerateTemplate rdata)
    {
        _next = start;
        _stop = stop;
        _step = step;
        Owner = owner;
        Rdata = rdata;
    }

    public GenerateTemplate Owner { get; }
    public GenerateTemplate Rdata { get; }
    public required RecordType Type { get; init; }
    public required uint? Ttl { get; init; }
    public required RecordClass? Class { get; init; }
    public required DnsName? Origin { get; init; }
    public required int Line { get; init; }

    /// <summary>
    /// Reads the directive's range and templates. The TTL, class and type in between are read by
    /// the caller, which shares that code with ordinary records.
    /// </summary>
    public static (long Start, long Stop, long Step) ParseRange(ZoneToken token, int maxCount)
    {
        // BIND: start, stop and step are 0 .. 2^31-1 and start must not be above stop.
        var text = token.Text.AsSpan();
        long step = 1;
        int slash = text.IndexOf('/');
        if (slash >= 0)
        {
            if (!TryNumber(text[(slash + 1)..], out step) || step == 0)
                throw new ZoneSyntaxException(token.Line, $"$GENERATE step in '{token.Text}' must be a number from 1 to {int.MaxValue}");
            text = text[..slash];
        }
        int dash = text.IndexOf('-');
        if (dash < 0 || !TryNumber(text[..dash], out long start) || !TryNumber(text[(dash + 1)..], out long stop))
            throw new ZoneSyntaxException(token.Line, $"$GENERATE range '{token.Text}' is not start-stop[/step]");
        if (start > stop)
            throw new ZoneSyntaxException(token.Line, $"$GENERATE range '{token.Text}' starts above its stop");
        long count = (stop - start) / step + 1;
        if (count > maxCount)
            throw new ZoneSyntaxException(token.Line, $"$GENERATE range '{token.Text}' makes {count} records; the limit is {maxCount}");
        return (start, stop, step);
    }

    public static GenerateDirective Create((long Start, long Stop, long Step) range, GenerateTemplate owner, GenerateTemplate rdata,
        RecordType type, uint? ttl, RecordClass? cls, DnsName? origin, int line) =>
        new(range.Start, range.Stop, range.Step, owner, rdata)
        {
            Type = type,
            Ttl = ttl,
            Class = cls,
            Origin = origin,
            Line = line,
        };

    /// <summary>The next iterator value, or false when the range is done.</summary>
    public bool TryNext(out long value)
    {
        value = _next;
        if (_next > _stop)
            return false;
        _next += _step;
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= int.MaxValue;
}

/// <summary>An owner or rdata template of <c>$GENERATE</c>, parsed once and expanded per value.</summary>
internal sealed class GenerateTemplate
{
    /// <summary>
    /// Widths beyond this are refused: nothing in a record can use them (a name is at most 255
    /// octets) and a width of a billion would be a cheap way to exhaust memory.
    /// </summary>
    public const int MaxWidth = 255;

    private readonly List<Segment> _segments;

    private GenerateTemplate(List<Segment> segments) => _segments = segments;

    private readonly record struct Segment(string? Literal, long Offset, int Width, char Base);

    public static GenerateTemplate Parse(ZoneToken token)
    {
        var text = token.Text;
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                // Escapes stay as written for the name or RDATA parser that reads the result,
                // except an escaped quote inside quotes: BIND's lexer unescapes that one, so
                // "a \"b c\"" is the two strings a and "b c".
                if (token.Quoted && text[i + 1] == '"')
                    literal.Append('"');
                else
                    literal.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (c != '$')
            {
                literal.Append(c);
                continue;
            }
            if (i + 1 < text.Length && text[i + 1] == '$')
            {
                literal.Append("\\$");
                i++;
                continue;
            }
            if (literal.Length > 0)
            {
                segments.Add(new Segment(literal.ToString(), 0, 0, 'd'));
                literal.Clear();
            }
            if (i + 1 < text.Length && text[i + 1] == '{')
            {
                int close = text.IndexOf('}', i + 2);
                if (close < 0)
                    throw new ZoneSyntaxException(token.Line, $"$GENERATE modifier in '{text}' has no closing '}}'");
                segments.Add(ParseModifier(text.Substring(i + 2, close - i - 2), token.Line));
                i = close;
            }
            else
            {
                segments.Add(new Segment(null, 0, 0, 'd'));
            }
        }
        if (literal.Length > 0)
            segments.Add(new Segment(literal.ToString(), 0, 0, 'd'));
        return new GenerateTemplate(segments);
    }

    // ${offset[,width[,base]]}: each part that is present must be non-empty, as in BIND.
    private static Segment ParseModifier(string inside, int line)
    {
        var parts = inside.Split(',');
        string bad = $"$GENERATE modifier '${{{inside}}}' is not ${{offset[,width[,base]]}}";
        if (parts.Length > 3 || parts.Any(p => p.Length == 0))
            throw new ZoneSyntaxException(line, bad);
        // Compared without Math.Abs, which overflows for long.MinValue (-9223372036854775808).
        if (!long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long offset) ||
            offset is < -int.MaxValue or > int.MaxValue)
            throw new ZoneSyntaxException(line, bad);
        int width = 0;
        if (parts.Length > 1 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out width))
            throw new ZoneSyntaxException(line, bad);
        if (width > MaxWidth)
            throw new ZoneSyntaxException(line, $"$GENERATE modifier '${{{inside}}}' has a width above {MaxWidth}");
        char b = 'd';
        if (parts.Length > 2)
        {
            if (parts[2].Length != 1 || !"doxXnN".Contains(parts[2][0]))
                throw new ZoneSyntaxException(line, $"$GENERATE modifier '${{{inside}}}' has base '{parts[2]}'; use d, o, x, X, n or N");
            b = parts[2][0];
        }
        return new Segment(null, offset, width, b);
    }

    /// <summary>The template with every <c>$</c> replaced for iterator value <paramref name="iterator"/>.</summary>
    public string Expand(long iterator)
    {
        var sb = new StringBuilder();
        foreach (var s in _segments)
        {
            if (s.Literal is not null)
            {
                sb.Append(s.Literal);
                continue;
            }
            long value = iterator + s.Offset;
            if (value < 0 && s.Base != 'd')
                throw new FormatException($"offset {s.Offset} gives {value}, which base {s.Base} cannot show");
            switch (s.Base)
            {
                case 'd':
                    // printf("%0*d"): the sign counts towards the width.
                    var digits = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
                    if (value < 0)
                        sb.Append('-').Append('0', Math.Max(0, s.Width - 1 - digits.Length));
                    else
                        sb.Append('0', Math.Max(0, s.Width - digits.Length));
                    sb.Append(digits);
                    break;
                case 'o':
                    sb.Append(Convert.ToString(value, 8).PadLeft(s.Width, '0'));
                    break;
                case 'x':
                    sb.Append(value.ToString("x", CultureInfo.InvariantCulture).PadLeft(s.Width, '0'));
                    break;
                case 'X':
                    sb.Append(value.ToString("X", CultureInfo.InvariantCulture).PadLeft(s.Width, '0'));
                    break;
                default:
                    AppendNibbles(sb, value, s.Width, s.Base == 'N');
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Nibble mode, for ip6.arpa: hex digits least significant first, one per label. The width
    /// counts characters including the dots; a width beyond what the digits need adds zero
    /// nibbles and, when it stops just after a dot, leaves that dot at the end, as BIND does.
    /// </summary>
    private static void AppendNibbles(StringBuilder sb, long value, int width, bool upper)
    {
        string digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        while (true)
        {
            sb.Append(digits[(int)(value & 0xF)]);
            value >>= 4;
            width = Math.Max(width - 1, 0);
            if (width > 0 || value != 0)
            {
                sb.Append('.');
                width = Math.Max(width - 1, 0);
            }
            if (value == 0 && width == 0)
                return;
        }
    }
}
