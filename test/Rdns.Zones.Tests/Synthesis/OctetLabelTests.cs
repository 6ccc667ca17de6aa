using Rdns.Zones.Synthesis;

namespace Rdns.Zones.Tests.Synthesis;

/// <summary>
/// A reverse name's IPv4 label is an octet only in canonical decimal: one to three digits, no
/// leading zero, at most 255, so each address has exactly one name.
/// </summary>
public class OctetLabelTests
{
    [Fact]
    public void Every_label_of_up_to_four_octets_is_read_as_the_canonical_decimal_rule_says()
    {
        // Every octet value at each place of labels up to three long (16.8 million), and four-octet labels of digits.
        var label = new byte[4];
        int octets = 0;
        for (int length = 0; length <= 3; length++)
        {
            int combinations = 1 << (8 * length);
            for (int c = 0; c < combinations; c++)
            {
                for (int k = 0; k < length; k++)
                    label[k] = (byte)(c >> (8 * k));
                var span = label.AsSpan(0, length);
                bool read = ReverseZoneInfo.TryOctet(span, out int octet);
                bool expected = Canonical(span, out int value);
                if (read != expected || (read && octet != value))
                    Assert.Fail($"[{string.Join(",", span.ToArray())}]: read {read} {octet}, expected {expected} {value}");
                if (read)
                    octets++;
            }
        }
        // 0-9, 10-99, 100-255: each octet once.
        Assert.Equal(256, octets);
        foreach (string four in new[] { "0000", "1000", "0255", "2550" })
            Assert.False(ReverseZoneInfo.TryOctet(System.Text.Encoding.ASCII.GetBytes(four), out _), four);
    }

    private static bool Canonical(ReadOnlySpan<byte> label, out int value)
    {
        value = 0;
        string text = System.Text.Encoding.Latin1.GetString(label);
        if (text.Length is < 1 or > 3 || text.Any(ch => ch is < '0' or > '9') || (text.Length > 1 && text[0] == '0'))
            return false;
        value = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return value <= 255;
    }
}
