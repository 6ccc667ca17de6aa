using System.Text;
using Rdns.Protocol.Names;

namespace Rdns.Protocol.Tsig;

/// <summary>
/// A key file could not be read. The message has the compiler-style form <c>file:line: problem</c>.
/// </summary>
public sealed class TsigKeyFileException : Exception
{
    public TsigKeyFileException(string fileName, int line, string problem)
        : base($"{fileName}:{line}: {problem}")
    {
        FileName = fileName;
        Line = line;
        Problem = problem;
    }

    public string FileName { get; }

    /// <summary>1-based line number of the problem.</summary>
    public int Line { get; }

    /// <summary>The problem without the location.</summary>
    public string Problem { get; }
}

/// <summary>
/// Reads TSIG keys in BIND's configuration syntax, the form <c>tsig-keygen</c> writes and
/// <c>named.conf</c>, <c>dig -k</c> and <c>nsupdate -k</c> read:
/// <code>
/// key "transfer.example" {
///     algorithm hmac-sha256;
///     secret "base64...";
/// };
/// </code>
/// Any number of <c>key</c> statements; <c>#</c>, <c>//</c> and <c>/* */</c> comments. Anything
/// else is an error naming the file and line, since a key silently not loaded shows up much later
/// as a refused transfer.
/// </summary>
public static class TsigKeyFile
{
    /// <summary>Key files are small; a larger file is not a key file.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Reads every key of the file; IO errors surface as thrown by the file system.</summary>
    public static IReadOnlyList<TsigKey> Read(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxLength)
            throw new TsigKeyFileException(path, 1, $"file is larger than {MaxLength} octets; not a key file");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses key statements from text; <paramref name="fileName"/> only names the source in errors.</summary>
    public static IReadOnlyList<TsigKey> Parse(string text, string fileName = "<text>")
    {
        var tokens = new KeyFileTokens(text, fileName);
        var keys = new List<TsigKey>();
        var lines = new Dictionary<DnsName, int>();
        while (tokens.Next() is { } token)
        {
            if (token.Kind != TokenKind.Word || !token.Text.Equals("key", StringComparison.OrdinalIgnoreCase))
                throw tokens.Error(token.Line, $"expected 'key', found {token}");
            var key = ReadKey(tokens, token.Line);
            if (lines.TryGetValue(key.Name, out int first))
                throw tokens.Error(token.Line, $"key {key.Name} is defined twice (first on line {first})");
            lines.Add(key.Name, token.Line);
            keys.Add(key);
        }
        return keys;
    }

    private static TsigKey ReadKey(KeyFileTokens tokens, int keyLine)
    {
        var nameToken = tokens.Expect("a key name after 'key'", keyLine);
        if (nameToken.Kind is not (TokenKind.Word or TokenKind.Quoted))
            throw tokens.Error(nameToken.Line, $"expected a key name after 'key', found {nameToken}");
        string nameText = nameToken.Text.EndsWith('.') || nameToken.Text.Length == 0 ? nameToken.Text : nameToken.Text + ".";
        if (!DnsName.TryParse(nameText, null, out var name, out string? nameError))
            throw tokens.Error(nameToken.Line, $"key name \"{nameToken.Text}\" is not a domain name: {nameError}");
        string shown = $"key \"{nameToken.Text}\"";

        var open = tokens.Expect($"'{{' after {shown}", nameToken.Line);
        if (open.Kind != TokenKind.Open)
            throw tokens.Error(open.Line, $"expected '{{' after {shown}, found {open}");

        TsigAlgorithm? algorithm = null;
        byte[]? secret = null;
        int algorithmLine = 0, secretLine = 0;
        while (true)
        {
            var clause = tokens.Expect($"'}}' to close {shown} (opened on line {open.Line})", open.Line);
            if (clause.Kind == TokenKind.Close)
                break;
            if (clause.Kind != TokenKind.Word)
                throw tokens.Error(clause.Line, $"expected 'algorithm' or 'secret' in {shown}, found {clause}");
            var value = tokens.Expect($"a value after '{clause.Text}'", clause.Line);
            if (value.Kind is not (TokenKind.Word or TokenKind.Quoted))
                throw tokens.Error(value.Line, $"expected a value after '{clause.Text}' in {shown}, found {value}");
            switch (clause.Text.ToLowerInvariant())
            {
                case "algorithm":
                    if (algorithm is not null)
                        throw tokens.Error(clause.Line, $"{shown} has a second 'algorithm' (first on line {algorithmLine})");
                    algorithm = ParseAlgorithm(tokens, value, shown);
                    algorithmLine = clause.Line;
                    break;
                case "secret":
                    if (secret is not null)
                        throw tokens.Error(clause.Line, $"{shown} has a second 'secret' (first on line {secretLine})");
                    secret = ParseSecret(tokens, value, shown);
                    secretLine = clause.Line;
                    break;
                default:
                    throw tokens.Error(clause.Line, $"unknown clause '{clause.Text}' in {shown}; a key has 'algorithm' and 'secret'");
            }
            var semicolon = tokens.Expect($"';' after '{clause.Text}'", value.Line);
            if (semicolon.Kind != TokenKind.Semicolon)
                throw tokens.Error(semicolon.Line, $"expected ';' after '{clause.Text} {value.Text}', found {semicolon}");
        }
        var end = tokens.Expect($"';' after the '}}' of {shown}", tokens.LastLine);
        if (end.Kind != TokenKind.Semicolon)
            throw tokens.Error(end.Line, $"expected ';' after the '}}' of {shown}, found {end}");
        if (algorithm is null)
            throw tokens.Error(keyLine, $"{shown} has no 'algorithm'");
        if (secret is null)
            throw tokens.Error(keyLine, $"{shown} has no 'secret'");
        return new TsigKey(name, algorithm.Value, secret);
    }

    private static TsigAlgorithm ParseAlgorithm(KeyFileTokens tokens, Token value, string shown)
    {
        if (TsigAlgorithms.TryParse(value.Text, out var algorithm))
            return algorithm;
        string why = TsigAlgorithms.IsKnownUnsupported(value.Text, out string? reason) ? $" ({reason})" : "";
        throw tokens.Error(value.Line, $"algorithm '{value.Text}' of {shown} is not supported{why}; use one of {TsigAlgorithms.SupportedText}");
    }

    private static byte[] ParseSecret(KeyFileTokens tokens, Token value, string shown)
    {
        string base64 = string.Concat(value.Text.Where(c => !char.IsWhiteSpace(c)));
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out int length))
            throw tokens.Error(value.Line, $"secret of {shown} is not valid base64");
        if (length == 0)
            throw tokens.Error(value.Line, $"secret of {shown} is empty");
        return buffer[..length];
    }

    private enum TokenKind
    {
        Word,
        Quoted,
        Open,
        Close,
        Semicolon,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Line)
    {
        public override string ToString() => Kind switch
        {
            TokenKind.Quoted => $"\"{Text}\"",
            _ => $"'{Text}'",
        };
    }

    /// <summary>Splits the text into BIND configuration tokens, skipping blank space and comments.</summary>
    private sealed class KeyFileTokens(string text, string fileName)
    {
        private int _pos;
        private int _line = 1;

        /// <summary>Line of the last token returned.</summary>
        public int LastLine { get; private set; } = 1;

        public TsigKeyFileException Error(int line, string problem) => new(fileName, line, problem);

        public Token Expect(string what, int line) =>
            Next() ?? throw Error(line, $"file ends where {what} was expected");

        public Token? Next()
        {
            SkipBlankAndComments();
            if (_pos >= text.Length)
                return null;
            int line = _line;
            char c = text[_pos];
            Token token;
            switch (c)
            {
                case '{': _pos++; token = new Token(TokenKind.Open, "{", line); break;
                case '}': _pos++; token = new Token(TokenKind.Close, "}", line); break;
                case ';': _pos++; token = new Token(TokenKind.Semicolon, ";", line); break;
                case '"': token = new Token(TokenKind.Quoted, ReadQuoted(line), line); break;
                default: token = new Token(TokenKind.Word, ReadWord(), line); break;
            }
            LastLine = line;
            return token;
        }

        private void SkipBlankAndComments()
        {
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (c == '\n')
                {
                    _line++;
                    _pos++;
                }
                else if (char.IsWhiteSpace(c))
                {
                    _pos++;
                }
                else if (c == '#' || (c == '/' && Peek(1) == '/'))
                {
                    while (_pos < text.Length && text[_pos] != '\n')
                        _pos++;
                }
                else if (c == '/' && Peek(1) == '*')
                {
                    int opened = _line;
                    _pos += 2;
                    while (_pos < text.Length && !(text[_pos] == '*' && Peek(1) == '/'))
                    {
                        if (text[_pos] == '\n')
                            _line++;
                        _pos++;
                    }
                    if (_pos >= text.Length)
                        throw Error(opened, "'/*' comment is never closed");
                    _pos += 2;
                }
                else
                {
                    return;
                }
            }
        }

        private string ReadQuoted(int line)
        {
            var sb = new StringBuilder();
            _pos++;
            while (true)
            {
                if (_pos >= text.Length)
                    throw Error(line, "quoted string is never closed");
                char c = text[_pos++];
                if (c == '"')
                    return sb.ToString();
                if (c == '\n')
                    throw Error(line, "quoted string runs past the end of the line");
                if (c == '\\' && _pos < text.Length && text[_pos] != '\n')
                    c = text[_pos++];
                sb.Append(c);
            }
        }

        private string ReadWord()
        {
            int start = _pos;
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (char.IsWhiteSpace(c) || c is '{' or '}' or ';' or '"' or '#' || (c == '/' && Peek(1) is '/' or '*'))
                    break;
                _pos++;
            }
            return text[start.._pos];
        }

        private char Peek(int ahead) => _pos + ahead < text.Length ? text[_pos + ahead] : '\0';
    }
}
