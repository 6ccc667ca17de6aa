using System.Text;

namespace Rdns.Protocol.Text;

/// <summary>
/// Splits master-file text into entries (RFC 1035 §5.1): one entry is one line, or several lines
/// joined by parentheses. Handles <c>;</c> comments, quoted strings (which may hold <c>;</c> and
/// parentheses) and backslash escapes, and remembers whether an entry began with blank space,
/// which is how RFC 1035 marks an omitted owner.
/// </summary>
internal sealed class ZoneTokenizer
{
    private readonly TextReader _reader;
    private readonly int _maxLineLength;
    private readonly int _maxEntryLength;
    /// <summary>
    /// From the shared pool, given back by <see cref="Release"/>: a tokenizer reads one zone file,
    /// and an import of a million small files made a million of these 16 KiB buffers.
    /// </summary>
    private char[] _buffer = System.Buffers.ArrayPool<char>.Shared.Rent(8192);
    private readonly StringBuilder _line = new();
    private int _bufferStart;
    private int _bufferEnd;
    private bool _eof;

    public ZoneTokenizer(TextReader reader, int maxLineLength, int maxEntryLength)
    {
        _reader = reader;
        _maxLineLength = maxLineLength;
        _maxEntryLength = maxEntryLength;
    }

    /// <summary>Number of the last physical line read (1-based; 0 before the first).</summary>
    public int Line { get; set; }

    /// <summary>
    /// Reads the next entry that has at least one token. Returns false at the end of the text.
    /// </summary>
    public bool TryReadEntry(List<ZoneToken> tokens, out bool leadingBlank, out int startLine)
    {
        tokens.Clear();
        leadingBlank = false;
        startLine = 0;
        int depth = 0, openedOn = 0, entryLength = 0;
        var word = new StringBuilder();
        while (ReadPhysicalLine() is { } line)
        {
            entryLength += line.Length;
            if (entryLength > _maxEntryLength)
                throw new ZoneSyntaxException(Line, $"entry longer than {_maxEntryLength} characters");
            if (tokens.Count == 0 && depth == 0)
            {
                startLine = Line;
                leadingBlank = line.Length > 0 && (line[0] == ' ' || line[0] == '\t');
            }
            ScanLine(line, Line, tokens, word, ref depth, ref openedOn);
            if (depth == 0 && tokens.Count > 0)
                return true;
        }
        if (depth > 0)
            throw new ZoneSyntaxException(Line, $"'(' on line {openedOn} is never closed");
        return false;
    }

    /// <summary>Splits one piece of text (no line structure) into tokens, as for a record's RDATA.</summary>
    public static List<ZoneToken> Split(string text, int line)
    {
        var tokens = new List<ZoneToken>();
        int depth = 0, openedOn = 0;
        ScanLine(text, line, tokens, new StringBuilder(), ref depth, ref openedOn);
        if (depth > 0)
            throw new ZoneSyntaxException(line, "'(' is never closed");
        return tokens;
    }

    private static void ScanLine(string line, int lineNumber, List<ZoneToken> tokens, StringBuilder word,
        ref int depth, ref int openedOn)
    {
        word.Clear();
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            switch (c)
            {
                case ' ' or '\t' or '\r' or '\n':
                    EndWord(tokens, word, lineNumber);
                    i++;
                    break;
                case ';':
                    EndWord(tokens, word, lineNumber);
                    return;
                case '(':
                    // BIND counts nested parentheses rather than refusing them; so do we.
                    EndWord(tokens, word, lineNumber);
                    if (depth++ == 0)
                        openedOn = lineNumber;
                    i++;
                    break;
                case ')':
                    EndWord(tokens, word, lineNumber);
                    if (depth == 0)
                        throw new ZoneSyntaxException(lineNumber, "')' without a matching '('");
                    depth--;
                    i++;
                    break;
                case '"':
                    // A quote ends the word before it, as in BIND: a"b c"d is a, "b c", d.
                    EndWord(tokens, word, lineNumber);
                    i = ReadQuoted(line, i + 1, lineNumber, word);
                    tokens.Add(new ZoneToken(word.ToString(), true, lineNumber));
                    word.Clear();
                    break;
                case '\\':
                    if (i + 1 >= line.Length)
                        throw new ZoneSyntaxException(lineNumber, "'\\' at the end of a line escapes nothing");
                    word.Append(c).Append(line[i + 1]);
                    i += 2;
                    break;
                default:
                    word.Append(c);
                    i++;
                    break;
            }
        }
        EndWord(tokens, word, lineNumber);
    }

    // Returns the index after the closing quote. Quoted strings end on their line, as in BIND.
    private static int ReadQuoted(string line, int i, int lineNumber, StringBuilder word)
    {
        while (i < line.Length)
        {
            char c = line[i];
            if (c == '"')
                return i + 1;
            if (c == '\\')
            {
                if (i + 1 >= line.Length)
                    break;
                word.Append(c).Append(line[i + 1]);
                i += 2;
                continue;
            }
            word.Append(c);
            i++;
        }
        throw new ZoneSyntaxException(lineNumber, "quoted string is not closed on its line");
    }

    private static void EndWord(List<ZoneToken> tokens, StringBuilder word, int lineNumber)
    {
        if (word.Length == 0)
            return;
        tokens.Add(new ZoneToken(word.ToString(), false, lineNumber));
        word.Clear();
    }

    // Reads up to the next line break without ever holding more than the line limit, so a
    // hostile file without line breaks cannot make us buffer all of it.
    private string? ReadPhysicalLine()
    {
        _line.Clear();
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                if (_eof || !Fill())
                {
                    if (_line.Length == 0)
                        return null;
                    Line++;
                    return _line.ToString();
                }
            }
            var span = _buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart);
            int nl = span.IndexOf('\n');
            int take = nl < 0 ? span.Length : nl;
            if (_line.Length + take > _maxLineLength)
                throw new ZoneSyntaxException(Line + 1, $"line longer than {_maxLineLength} characters");
            _line.Append(span[..take]);
            if (nl >= 0)
            {
                _bufferStart += nl + 1;
                Line++;
                if (_line.Length > 0 && _line[^1] == '\r')
                    _line.Length--;
                return _line.ToString();
            }
            _bufferStart = _bufferEnd;
        }
    }

    /// <summary>Gives the buffer back to the pool; the tokenizer then reads as at the end of its text. Safe to call again.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        _bufferStart = _bufferEnd = 0;
        if (buffer.Length > 0)
            System.Buffers.ArrayPool<char>.Shared.Return(buffer);
    }

    private bool Fill()
    {
        int n = _reader.Read(_buffer, 0, _buffer.Length);
        if (n <= 0)
        {
            _eof = true;
            return false;
        }
        _bufferStart = 0;
        _bufferEnd = n;
        return true;
    }
}
