using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Text;

/// <summary>
/// Reads an RFC 1035 §5 master file one record at a time. Besides the RFC's syntax it reads
/// <c>$TTL</c> (RFC 2308 §4), TTL units, RFC 3597 generic RDATA and BIND's <c>$GENERATE</c>.
/// Problems throw <see cref="ZoneFileException"/> with file and line.
/// </summary>
/// <remarks>
/// A record without a TTL gets the <c>$TTL</c> in effect; without one, the TTL of the previous
/// record (RFC 1035 §5.1 "the last explicitly stated value"); for the very first record, if it is
/// the SOA, its own MINIMUM (as BIND does). BIND differs in one case: with no <c>$TTL</c> it makes
/// the SOA MINIMUM the default for all later records, even after other explicit TTLs. Files with
/// a <c>$TTL</c>, and everything <see cref="ZoneFileWriter"/> writes, read the same in both.
/// </remarks>
public sealed class ZoneFileReader : IDisposable
{
    private sealed class Source(ZoneTokenizer tokenizer, TextReader reader, bool owned, string fileName, DnsName? origin)
    {
        public ZoneTokenizer Tokenizer { get; } = tokenizer;
        public TextReader Reader { get; } = reader;
        public bool Owned { get; } = owned;
        public string FileName { get; } = fileName;
        public DnsName? Origin { get; set; } = origin;
        public DnsName? PreviousOwner { get; set; }
    }

    private readonly ZoneFileOptions _options;
    private readonly Stack<Source> _including = new();
    private readonly List<ZoneToken> _tokens = [];
    private Source _current;
    private GenerateDirective? _generate;
    private uint? _defaultTtl;
    private uint? _previousTtl;

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="fileName"/> is used in messages and to resolve <c>$INCLUDE</c>.</summary>
    public ZoneFileReader(TextReader reader, string fileName, ZoneFileOptions? options = null)
        : this(reader, false, fileName, options)
    {
    }

    private ZoneFileReader(TextReader reader, bool owned, string fileName, ZoneFileOptions? options)
    {
        _options = options ?? new ZoneFileOptions();
        if (_options.CheckZone && _options.Origin is null)
            throw new ArgumentException("zone checking needs the zone's name as the origin", nameof(options));
        _defaultTtl = _options.DefaultTtl;
        _current = NewSource(reader, owned, fileName, _options.Origin);
    }

    /// <summary>Opens a zone file; the reader owns and closes it.</summary>
    public static ZoneFileReader Open(string path, ZoneFileOptions? options = null) =>
        new(OpenText(path), true, path, options);

    /// <summary>
    /// A zone file as text: UTF-8 unless a byte-order mark says otherwise, as
    /// <see cref="File.OpenText"/>, with one buffer sized to the file (at least 128 octets, at
    /// most 64 KiB) where that took 4 KiB for the file stream and 3 KiB for the reader whatever
    /// the size: an import of a million small files made a million of each.
    /// </summary>
    internal static StreamReader OpenText(string path) => OpenText(OpenFile(path));

    /// <summary>A zone file opened for one pass from start to end, unbuffered (its reader has the buffer).</summary>
    internal static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

    /// <summary>As <see cref="OpenText(string)"/>, on a file opened with <see cref="OpenFile"/>; the reader owns it.</summary>
    internal static StreamReader OpenText(FileStream stream)
    {
        try
        {
            int size = (int)Math.Clamp(stream.Length, 128, 64 * 1024);
            return new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: size);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Open(string, ZoneFileOptions?)"/>, on a file opened with <see cref="OpenFile"/>; the reader owns it.</summary>
    internal static ZoneFileReader Open(FileStream stream, string path, ZoneFileOptions? options) =>
        new(OpenText(stream), true, path, options);

    /// <summary>Every record of a zone file.</summary>
    public static List<ResourceRecord> ReadFile(string path, ZoneFileOptions? options = null)
    {
        using var reader = Open(path, options);
        return [.. reader.ReadAll()];
    }

    /// <summary>Every record of zone-file text; <paramref name="fileName"/> is only used in messages.</summary>
    public static List<ResourceRecord> ReadText(string text, ZoneFileOptions? options = null, string fileName = "<text>")
    {
        using var reader = new ZoneFileReader(new StringReader(text), fileName, options);
        return [.. reader.ReadAll()];
    }

    /// <summary>
    /// Reads a piece of a file as if everything before it had been read: <paramref name="origin"/>
    /// and <paramref name="defaultTtl"/> are what <c>$ORIGIN</c> and <c>$TTL</c> left, and the
    /// piece starts on line <paramref name="firstLine"/>. The piece must start with an entry that
    /// names its owner (see <see cref="ZoneFileSplitter"/>).
    /// </summary>
    internal static ZoneFileReader Piece(TextReader reader, string fileName, ZoneFileOptions options, DnsName? origin, uint? defaultTtl, int firstLine)
    {
        var piece = new ZoneFileReader(reader, true, fileName, options);
        piece._current.Origin = origin;
        piece._defaultTtl = defaultTtl;
        piece._current.Tokenizer.Line = firstLine - 1;
        return piece;
    }

    /// <summary>The current origin: the options' origin, as changed by <c>$ORIGIN</c> (and inside an include, its origin).</summary>
    public DnsName? Origin => _current.Origin;

    /// <summary>The <c>$TTL</c> in effect, if any.</summary>
    public uint? DefaultTtl => _defaultTtl;

    /// <summary>The file being read: the caller's, or an included one.</summary>
    public string FileName => _current.FileName;

    /// <summary>The last line read in <see cref="FileName"/>.</summary>
    public int Line => _current.Tokenizer.Line;

    /// <summary>Records returned so far.</summary>
    public long RecordCount { get; private set; }

    public IEnumerable<ResourceRecord> ReadAll()
    {
        while (Read() is { } record)
            yield return record;
    }

    /// <summary>The next record, or null at the end of the file.</summary>
    public ResourceRecord? Read() => Next(null, out var record) ? record : null;

    /// <summary>
    /// Appends the next record to <paramref name="rows"/> as its wire fields, making no record
    /// object and no RDATA array for it (a zone directory of a million files holds ten million
    /// records); false at the end of the file.
    /// </summary>
    public bool ReadInto(ZoneRows rows) => Next(rows, out _);

    /// <summary>The next record: appended to <paramref name="rows"/> when given, else made into <paramref name="record"/>.</summary>
    private bool Next(ZoneRows? rows, out ResourceRecord? record)
    {
        record = null;
        while (true)
        {
            try
            {
                if (_generate is not null)
                {
                    if (_generate.TryNext(out long value))
                    {
                        var generated = Generated(_generate, value);
                        CountOne();
                        if (rows is null)
                            record = generated;
                        else
                            rows.Add(generated);
                        return true;
                    }
                    _generate = null;
                }
                if (!_current.Tokenizer.TryReadEntry(_tokens, out bool blank, out int line))
                {
                    if (_including.Count == 0)
                        return false;
                    Close(_current);
                    _current = _including.Pop();
                    continue;
                }
                var first = _tokens[0];
                if (!first.Quoted && first.Text.StartsWith('$'))
                {
                    if (blank)
                        throw new ZoneSyntaxException(line, $"'{first.Text}' here is taken as a type; directives start in the first column");
                    Directive(line);
                    continue;
                }
                record = Record(blank, line, rows);
                return true;
            }
            catch (ZoneSyntaxException e)
            {
                throw new ZoneFileException(_current.FileName, e.Line, e.Message, e) { TooManyRecords = e.TooManyRecords };
            }
        }
    }

    public void Dispose()
    {
        Close(_current);
        while (_including.Count > 0)
            Close(_including.Pop());
    }

    /// <summary>The entry's record, counted: appended to <paramref name="rows"/> (null returned) when given, else returned.</summary>
    private ResourceRecord? Record(bool blank, int line, ZoneRows? rows)
    {
        DnsName owner;
        int i = 0;
        if (blank)
        {
            // RFC 1035 §5.1: a blank owner is the previous record's owner.
            owner = _current.PreviousOwner
                ?? throw new ZoneSyntaxException(line, "the record has no owner name and there is no previous record to take it from");
        }
        else
        {
            owner = Name(_tokens[0], "owner");
            i = 1;
        }
        var (ttl, cls) = TtlAndClass(ref i);
        var type = Type(ref i, line);
        var data = RdataParser.ParseSpan(type, _tokens, i, _current.Origin, line);
        uint resolved = ResolveTtl(ttl, type, data, line);
        Check(owner, cls, line);
        CountOne();
        ResourceRecord? record = null;
        if (rows is null)
            record = new ResourceRecord(owner, type, _options.Class, resolved, data.ToArray());
        else
            rows.Add(owner.Wire, type, _options.Class, resolved, data);
        _current.PreviousOwner = owner;
        _previousTtl = resolved;
        return record;
    }

    // $GENERATE records take part in TTL inheritance but, as in BIND, leave the previous owner
    // and previous TTL as they were.
    private ResourceRecord Generated(GenerateDirective g, long value)
    {
        string ownerText, rdataText;
        try
        {
            ownerText = g.Owner.Expand(value);
            rdataText = g.Rdata.Expand(value);
        }
        catch (FormatException e)
        {
            throw new ZoneSyntaxException(g.Line, $"$GENERATE at {value}: {e.Message}");
        }
        if (!ZoneNames.TryParse(ownerText, g.Origin, out var owner, out var error))
            throw new ZoneSyntaxException(g.Line, $"$GENERATE at {value}: owner {error}");
        byte[] data;
        try
        {
            data = RdataParser.Parse(g.Type, ZoneTokenizer.Split(rdataText, g.Line), 0, g.Origin, g.Line);
        }
        catch (ZoneSyntaxException e)
        {
            throw new ZoneSyntaxException(g.Line, $"$GENERATE at {value}: {e.Message}");
        }
        uint ttl = ResolveTtl(g.Ttl, g.Type, data, g.Line);
        Check(owner, g.Class, g.Line);
        return new ResourceRecord(owner, g.Type, _options.Class, ttl, data);
    }

    /// <summary>A record's class and owner as the zone allows them.</summary>
    private void Check(DnsName owner, RecordClass? cls, int line)
    {
        // BIND refuses a class other than the zone's; a zone has one class (RFC 1034 §4.2).
        if (cls is { } c && c != _options.Class)
            throw new ZoneSyntaxException(line,
                $"class {RecordTypeText.ClassToText(c)} does not match the zone's class {RecordTypeText.ClassToText(_options.Class)}");
        if (_options.CheckZone && !owner.IsSubdomainOf(_options.Origin!))
            throw new ZoneSyntaxException(line, $"'{owner}' is out of zone: not at or below {_options.Origin}");
    }

    private uint ResolveTtl(uint? ttl, RecordType type, ReadOnlySpan<byte> data, int line)
    {
        if (ttl is { } explicitTtl)
            return explicitTtl;
        if (_defaultTtl is { } defaultTtl)
            return defaultTtl;
        if (_previousTtl is { } previous)
            return previous;
        if (type == RecordType.SOA)
            return Math.Min(Rdata.SoaMinimum(data), DurationText.MaxTtl);
        throw new ZoneSyntaxException(line, "the record has no TTL and there is no $TTL or earlier record to take one from (RFC 2308 §4)");
    }

    private void CountOne()
    {
        if (RecordCount == _options.MaxRecords)
            throw new ZoneSyntaxException(Line, $"more than {_options.MaxRecords} records", tooManyRecords: true);
        RecordCount++;
    }

    // RFC 1035 §5.1 allows the TTL and the class in either order, each at most once.
    private (uint? Ttl, RecordClass? Class) TtlAndClass(ref int i)
    {
        uint? ttl = null;
        RecordClass? cls = null;
        while (i < _tokens.Count && !_tokens[i].Quoted)
        {
            var t = _tokens[i];
            if (char.IsAsciiDigit(t.Text[0]))
            {
                if (ttl is not null)
                    throw new ZoneSyntaxException(t.Line, $"a second TTL '{t.Text}'");
                if (!DurationText.TryParseTtl(t.Text, out uint value, out var error))
                    throw new ZoneSyntaxException(t.Line, error!);
                ttl = value;
            }
            else if (RecordTypeText.TryParseClass(t.Text, out var c))
            {
                if (cls is not null)
                    throw new ZoneSyntaxException(t.Line, $"a second class '{t.Text}'");
                cls = c;
            }
            else
            {
                break;
            }
            i++;
        }
        return (ttl, cls);
    }

    private RecordType Type(ref int i, int line)
    {
        if (i >= _tokens.Count)
            throw new ZoneSyntaxException(line, "the record has no type");
        var t = _tokens[i++];
        if (t.Quoted || !RecordTypeText.TryParse(t.Text, out var type))
            throw new ZoneSyntaxException(t.Line, $"unknown type '{t.Text}'");
        return type;
    }

    private DnsName Name(ZoneToken token, string what)
    {
        if (!ZoneNames.TryParse(token.Text, _current.Origin, out var name, out var error))
            throw new ZoneSyntaxException(token.Line, $"{what} {error}");
        return name;
    }

    private void Directive(int line)
    {
        var directive = _tokens[0];
        if (directive.Is("$ORIGIN"))
        {
            // RFC 1035 §5.1; a relative argument is completed with the current origin.
            ExpectArguments(1, 1, "$ORIGIN takes one name");
            _current.Origin = Name(_tokens[1], "$ORIGIN");
        }
        else if (directive.Is("$TTL"))
        {
            // RFC 2308 §4.
            ExpectArguments(1, 1, "$TTL takes one TTL");
            if (!DurationText.TryParseTtl(_tokens[1].Text, out uint ttl, out var error))
                throw new ZoneSyntaxException(_tokens[1].Line, error!);
            _defaultTtl = ttl;
        }
        else if (directive.Is("$INCLUDE"))
        {
            Include(line);
        }
        else if (directive.Is("$GENERATE"))
        {
            Generate(line);
        }
        else
        {
            throw new ZoneSyntaxException(line, $"unknown directive '{directive.Text}'");
        }
    }

    // RFC 1035 §5.1: $INCLUDE file [origin]. The included file starts with that origin (or the
    // current one) and no previous owner; when it ends, the including file's origin and owner
    // come back. $TTL is not scoped, as in BIND.
    private void Include(int line)
    {
        if (!_options.AllowInclude)
            throw new ZoneSyntaxException(line, "$INCLUDE is not allowed here (ZoneFileOptions.AllowInclude is off)");
        ExpectArguments(1, 2, "$INCLUDE takes a file name and an optional origin");
        if (_including.Count + 1 > _options.MaxIncludeDepth)
            throw new ZoneSyntaxException(line, $"$INCLUDE nested more than {_options.MaxIncludeDepth} deep");
        if (!RdataCursor.TryDecodeText(_tokens[1].Text, out var bytes, out var error))
            throw new ZoneSyntaxException(line, $"$INCLUDE file name: {error}");
        var file = System.Text.Encoding.UTF8.GetString(bytes);
        var origin = _tokens.Count > 2 ? Name(_tokens[2], "$INCLUDE origin") : _current.Origin;
        // Relative to the including file, so a zone directory can move as a whole.
        var path = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(_current.FileName) ?? "", file);
        TextReader reader;
        try
        {
            reader = OpenText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZoneSyntaxException(line, $"cannot $INCLUDE '{path}': {e.Message}");
        }
        _including.Push(_current);
        _current = NewSource(reader, true, path, origin);
    }

    private void Generate(int line)
    {
        if (_tokens.Count < 5)
            throw new ZoneSyntaxException(line, "$GENERATE needs a range, an owner, a type and rdata");
        var range = GenerateDirective.ParseRange(_tokens[1], _options.MaxGenerateCount);
        // Refused before expanding: a few such lines in a few kilobytes would otherwise make
        // millions of records before the count caught up with them.
        long count = (range.Stop - range.Start) / range.Step + 1;
        if (_options.MaxRecords is { } max && RecordCount + count > max)
            throw new ZoneSyntaxException(line, $"$GENERATE range '{_tokens[1].Text}' makes {count} records, {RecordCount + count} in all; the limit is {max}", tooManyRecords: true);
        var owner = GenerateTemplate.Parse(_tokens[2]);
        int i = 3;
        var (ttl, cls) = TtlAndClass(ref i);
        var type = Type(ref i, line);
        if (i >= _tokens.Count)
            throw new ZoneSyntaxException(line, "$GENERATE needs rdata after the type");
        var rdata = GenerateTemplate.Parse(_tokens[i++]);
        if (i < _tokens.Count)
            throw new ZoneSyntaxException(_tokens[i].Line, $"$GENERATE: unexpected '{_tokens[i].Text}' after the rdata; quote rdata that has spaces");
        _generate = GenerateDirective.Create(range, owner, rdata, type, ttl, cls, _current.Origin, line);
    }

    private void ExpectArguments(int min, int max, string usage)
    {
        int n = _tokens.Count - 1;
        if (n < min || n > max)
            throw new ZoneSyntaxException(_tokens[0].Line, usage);
    }

    private Source NewSource(TextReader reader, bool owned, string fileName, DnsName? origin) =>
        new(new ZoneTokenizer(reader, _options.MaxLineLength, _options.MaxEntryLength), reader, owned, fileName, origin);

    private static void Close(Source source)
    {
        source.Tokenizer.Release();
        if (source.Owned)
            source.Reader.Dispose();
    }
}
