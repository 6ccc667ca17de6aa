using System.Buffers;
using System.Globalization;
using System.Text;

namespace Rdns.Addressing;

/// <summary>
/// Validates and normalizes the host name a PTR record points to (and, for delegations, the
/// name of a name server). The result is lowercase, ASCII (IDNA A-labels), absolute.
/// <para>Rules, each reported with the offending label:</para>
/// <list type="bullet">
/// <item>labels are letters, digits and hyphens, neither starting nor ending with a hyphen
/// (RFC 952, relaxed by RFC 1123 §2.1 to allow a leading digit);</item>
/// <item>no underscore anywhere: underscore labels name attributes of a domain (RFC 8552), not
/// hosts, and mail receivers and resolvers that check reverse DNS expect a host name;</item>
/// <item>labels 1-63 octets, the whole name at most 255 octets in wire form (RFC 1035 §2.3.4);</item>
/// <item>Unicode labels become A-labels through IDNA (RFC 5891); what IDNA refuses is refused
/// with its reason; existing <c>xn--</c> labels must decode (RFC 5890 §2.3.2.1);</item>
/// <item>at least two labels: a single label would point at a top-level domain, and usually
/// means the rest of the name was forgotten;</item>
/// <item>the top-level label is not all-numeric (RFC 3696 §2), which also keeps an address
/// from being taken for a host name.</item>
/// </list>
/// </summary>
public static class PtrTarget
{
    public const int MaxLabelOctets = 63;
    public const int MaxNameOctets = 255;

    // IDNA (RFC 3490 §3.1) treats these as dots too; splitting on them keeps one label per
    // IdnMapping call, so an error can name its label.
    private static readonly char[] LabelSeparators = ['.', '\u3002', '\uFF0E', '\uFF61'];

    private static readonly SearchValues<char> LdhCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    // A new IdnMapping per use: its instance members are not documented as thread-safe.
    private static IdnMapping Idna => new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    public static bool TryNormalize(string? input, out string normalized, out string? reason)
    {
        normalized = "";
        if (string.IsNullOrEmpty(input))
            return Fail("name is empty", out reason);
        for (int i = 0; i < input.Length; i++)
        {
            if (char.IsWhiteSpace(input[i]) || char.IsControl(input[i]))
                return Fail($"whitespace or a control character at position {i + 1}", out reason);
        }
        var text = input.AsSpan();
        if (text.Length == 1 && LabelSeparators.Contains(text[0]))
            return Fail("the root '.' is not a host name", out reason);
        if (LabelSeparators.Contains(text[^1]))
            text = text[..^1];

        var labels = new List<string>();
        int wireLength = 1; // the root label's length octet
        int number = 0;
        while (true)
        {
            number++;
            int separator = text.IndexOfAny(LabelSeparators);
            var raw = separator < 0 ? text : text[..separator];
            if (!TryNormalizeLabel(raw, number, out string label, out reason))
                return false;
            labels.Add(label);
            wireLength += label.Length + 1;
            if (separator < 0)
                break;
            text = text[(separator + 1)..];
        }

        if (labels.Count < 2)
            return Fail($"'{Excerpt.Of(labels[0])}' is a single label; a PTR target is a fully qualified host name such as host.example.com", out reason);
        string top = labels[^1];
        if (top.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
            return Fail($"top-level label '{top}' is all-numeric, which no host name has (RFC 3696 §2); an address is not a host name", out reason);
        if (wireLength > MaxNameOctets)
            return Fail($"name is {wireLength} octets in wire form; at most {MaxNameOctets} (RFC 1035 §2.3.4)", out reason);

        normalized = string.Join('.', labels) + ".";
        reason = null;
        return true;
    }

    /// <exception cref="FormatException">The name is not a valid PTR target; the message says why.</exception>
    public static string Normalize(string input)
        => TryNormalize(input, out var normalized, out var reason) ? normalized : throw new FormatException(reason);

    private static bool TryNormalizeLabel(ReadOnlySpan<char> raw, int number, out string label, out string? reason)
    {
        label = "";
        if (raw.IsEmpty)
            return Fail($"label {number} is empty (two dots in a row, or a leading dot)", out reason);
        if (!Ascii.IsValid(raw))
        {
            try
            {
                // RFC 5891 §4: the U-label is checked and converted; ICU's UTS #46 mapping also
                // folds case and width first.
                label = Idna.GetAscii(raw.ToString());
            }
            catch (ArgumentException e)
            {
                return Fail($"label '{Excerpt.Of(raw)}' is refused by IDNA (RFC 5891): {Reason(e)}", out reason);
            }
        }
        else
        {
            label = raw.ToString().ToLowerInvariant();
        }

        if (label.Length > MaxLabelOctets)
            return Fail($"label '{Excerpt.Of(label)}' is {label.Length} octets; at most {MaxLabelOctets} (RFC 1035 §2.3.4)", out reason);
        int bad = label.AsSpan().IndexOfAnyExcept(LdhCharacters);
        if (bad >= 0)
        {
            string rule = label[bad] == '_'
                ? "'_' is not allowed in a host name (RFC 952, RFC 1123 §2.1; underscore labels are attributes, RFC 8552)"
                : $"'{Excerpt.Of(label.AsSpan(bad, 1))}' is not allowed in a host name (RFC 952, RFC 1123 §2.1: letters, digits, hyphens)";
            return Fail($"label '{Excerpt.Of(label)}': {rule}", out reason);
        }
        if (label[0] == '-' || label[^1] == '-')
            return Fail($"label '{Excerpt.Of(label)}' {(label[0] == '-' ? "starts" : "ends")} with a hyphen (RFC 952, RFC 1123 §2.1)", out reason);
        if (label.StartsWith("xn--", StringComparison.Ordinal))
        {
            try
            {
                // RFC 5890 §2.3.2.1: an A-label is by definition the encoding of a valid U-label.
                Idna.GetUnicode(label);
            }
            catch (ArgumentException e)
            {
                return Fail($"label '{Excerpt.Of(label)}' is not a valid IDNA A-label (RFC 5890 §2.3.2.1): {Reason(e)}", out reason);
            }
        }
        reason = null;
        return true;
    }

    // ArgumentException.Message ends in " (Parameter 'unicode')", which means nothing to the user.
    private static string Reason(ArgumentException e)
    {
        string message = e.Message;
        if (e.ParamName is { } name && message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal))
            message = message[..^$" (Parameter '{name}')".Length];
        return Excerpt.Of(message, 160);
    }

    private static bool Fail(string message, out string? reason)
    {
        reason = message;
        return false;
    }
}
