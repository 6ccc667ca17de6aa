namespace Rdns.Addressing.Tests;

public class PtrTargetTests
{
    [Theory]
    [InlineData("www.contoso.com", "www.contoso.com.")]
    [InlineData("Mail.Contoso.COM.", "mail.contoso.com.")]
    [InlineData("3com.example", "3com.example.")] // RFC 1123 §2.1: a label may start with a digit
    [InlineData("a-b.example", "a-b.example.")]
    [InlineData("bücher.example", "xn--bcher-kva.example.")] // RFC 5891: U-label to A-label
    [InlineData("BÜCHER.example", "xn--bcher-kva.example.")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example.")]
    [InlineData("mail。例え。jp", "mail.xn--r8jz45g.jp.")] // RFC 3490 §3.1: ideographic full stop
    [InlineData("host.example.xn--p1ai", "host.example.xn--p1ai.")]
    public void Normalizes_a_host_name_to_lowercase_absolute_ASCII(string input, string normalized)
    {
        Assert.True(PtrTarget.TryNormalize(input, out var actual, out var reason), reason);
        Assert.Equal(normalized, actual);
        Assert.Equal(normalized, PtrTarget.Normalize(input));
    }

    [Theory]
    [InlineData("", "name is empty")]
    [InlineData(".", "the root '.' is not a host name")]
    [InlineData("mail", "'mail' is a single label; a PTR target is a fully qualified host name such as host.example.com")]
    [InlineData("mail..example.com", "label 2 is empty (two dots in a row, or a leading dot)")]
    [InlineData(".example.com", "label 1 is empty (two dots in a row, or a leading dot)")]
    [InlineData("mail.example.com..", "label 4 is empty (two dots in a row, or a leading dot)")]
    [InlineData("my_host.example.com", "label 'my_host': '_' is not allowed in a host name (RFC 952, RFC 1123 §2.1; underscore labels are attributes, RFC 8552)")]
    [InlineData("_dmarc.example.com", "label '_dmarc': '_' is not allowed in a host name (RFC 952, RFC 1123 §2.1; underscore labels are attributes, RFC 8552)")]
    [InlineData("a*b.example.com", "label 'a*b': '*' is not allowed in a host name (RFC 952, RFC 1123 §2.1: letters, digits, hyphens)")]
    [InlineData("-mail.example.com", "label '-mail' starts with a hyphen (RFC 952, RFC 1123 §2.1)")]
    [InlineData("mail-.example.com", "label 'mail-' ends with a hyphen (RFC 952, RFC 1123 §2.1)")]
    [InlineData("192.0.2.1", "top-level label '1' is all-numeric, which no host name has (RFC 3696 §2); an address is not a host name")]
    [InlineData("host.example.123", "top-level label '123' is all-numeric, which no host name has (RFC 3696 §2); an address is not a host name")]
    [InlineData("mail example.com", "whitespace or a control character at position 5")]
    [InlineData("mail.example.com\n", "whitespace or a control character at position 17")]
    [InlineData("xn--zz.example", "label 'xn--zz' is not a valid IDNA A-label (RFC 5890 §2.3.2.1): ")]
    public void Refuses_what_is_not_a_host_name_naming_label_and_rule(string input, string reason)
    {
        Assert.False(PtrTarget.TryNormalize(input, out var normalized, out var actual));
        Assert.Equal("", normalized);
        Assert.StartsWith(reason, actual);
        Assert.Throws<FormatException>(() => PtrTarget.Normalize(input));
    }

    [Fact]
    public void A_label_has_at_most_63_octets()
    {
        string ok = new string('a', 63) + ".example";
        string tooLong = new string('a', 64) + ".example";
        Assert.True(PtrTarget.TryNormalize(ok, out _, out _));
        Assert.False(PtrTarget.TryNormalize(tooLong, out _, out var reason));
        Assert.EndsWith("is 64 octets; at most 63 (RFC 1035 §2.3.4)", reason);
        Assert.StartsWith("label 'aaaa", reason);
    }

    [Fact]
    public void A_name_has_at_most_255_octets_in_wire_form()
    {
        // Wire form: a length octet before each label, and the root's zero octet at the end.
        string label = new('a', 61);
        string longest = $"{label}.{label}.{label}.{label}.bbbbb";
        Assert.True(PtrTarget.TryNormalize(longest, out var normalized, out var reason), reason);
        Assert.Equal(4 * 62 + 6 + 1, WireLength(normalized));
        Assert.Equal(255, WireLength(normalized));
        Assert.False(PtrTarget.TryNormalize(longest + "c", out _, out reason));
        Assert.Equal("name is 256 octets in wire form; at most 255 (RFC 1035 §2.3.4)", reason);
    }

    [Fact]
    public void What_IDNA_refuses_is_refused_with_its_reason()
    {
        // RFC 5891 §4.2.3.2: a label must not begin with a combining mark (here U+0301).
        Assert.False(PtrTarget.TryNormalize("\u0301a.example", out _, out var reason));
        Assert.Equal("label '\u0301a' is refused by IDNA (RFC 5891): Decoded string is not a valid IDN name.", reason);
        // A zero-width joiner outside the contexts RFC 5892 Appendix A.2 allows.
        Assert.False(PtrTarget.TryNormalize("ab\u200d.example", out _, out reason));
        Assert.StartsWith("label 'ab\\u200d' is refused by IDNA (RFC 5891): ", reason);
    }

    private static int WireLength(string absolute) => absolute.TrimEnd('.').Split('.').Sum(l => l.Length + 1) + 1;
}
