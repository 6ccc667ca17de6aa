using System.Globalization;
using System.Text;

namespace Rdns.Addressing;

/// <summary>
/// Quotes a piece of user input inside an error message. Input can be kilobytes of garbage or
/// contain line breaks; error messages must stay one short line, so the excerpt is truncated
/// and anything that could break or hide the line is escaped.
/// </summary>
public static class Excerpt
{
    /// <summary>Characters of input kept before "..." is appended.</summary>
    public const int DefaultLength = 48;

    public static string Of(ReadOnlySpan<char> text, int maxLength = DefaultLength)
    {
        var sb = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        int shown = Math.Min(text.Length, maxLength);
        foreach (char c in text[..shown])
        {
            if (char.IsControl(c) || IsLineOrFormatBreak(c))
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else
                sb.Append(c);
        }
        if (text.Length > shown)
            sb.Append("...");
        return sb.ToString();
    }

    // U+2028/U+2029 are not control characters but still end a line in many terminals and
    // log viewers; bidi and other format characters can make a message read differently.
    private static bool IsLineOrFormatBreak(char c) => char.GetUnicodeCategory(c) is
        UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format
        or UnicodeCategory.Surrogate;
}
