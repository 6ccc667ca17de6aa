namespace Rdns.Protocol.Text;

/// <summary>
/// One word of presentation text (RFC 1035 §5.1). <see cref="Text"/> keeps backslash escapes as
/// written, because what an escape means depends on the field: a name decodes <c>\.</c> into a
/// dot inside a label, a character-string into a plain dot. Quoted words have their quotes removed.
/// </summary>
internal readonly record struct ZoneToken(string Text, bool Quoted, int Line)
{
    /// <summary>An unquoted word equal to <paramref name="word"/>, ignoring case.</summary>
    public bool Is(string word) => !Quoted && Text.Equals(word, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A syntax problem found in presentation text, with the line it sits on. Readers turn it into a
/// <see cref="ZoneFileException"/> that also names the file.
/// </summary>
internal sealed class ZoneSyntaxException(int line, string problem, bool tooManyRecords = false) : FormatException(problem)
{
    public int Line { get; } = line;

    /// <summary>The text may be fine; it makes more records than <see cref="ZoneFileOptions.MaxRecords"/> allows.</summary>
    public bool TooManyRecords { get; } = tooManyRecords;
}
