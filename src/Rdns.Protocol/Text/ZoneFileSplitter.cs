using System.Text;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Protocol.Text;

/// <summary>
/// Reads one large zone file on several threads: a quick pass over its octets finds entry
/// boundaries (outside parentheses, at a line that names its owner) near equal cuts, each piece
/// is parsed into its own <see cref="ZoneRows"/>, and the pieces are joined in file order. Only
/// files whose directives all come before the first cut are split (each piece then starts with
/// the <c>$ORIGIN</c> and <c>$TTL</c> the head left), and only when a <c>$TTL</c> is in effect
/// there (without one a record's TTL may come from the record before it, in another piece). Any
/// problem in any piece makes the whole file be read again on one thread, so errors, and the
/// line they name, are exactly those of a plain read.
/// </summary>
public static class ZoneFileSplitter
{
    /// <summary>Files smaller than this are read on one thread.</summary>
    public const int SplitFrom = 4 << 20;

    /// <summary>Every record of the file at <paramref name="path"/>, as rows, read in up to <paramref name="parts"/> pieces at once.</summary>
    public static ZoneRows ReadRows(string path, ZoneFileOptions options, int parts) => ReadRows(path, options, parts, out _);

    /// <param name="read">How many pieces were read at once (1: the file was read whole).</param>
    internal static ZoneRows ReadRows(string path, ZoneFileOptions options, int parts, out int read)
    {
        read = 1;
        // Opened once: its length, taken from the open file, decides the split (a million small
        // files were each looked up by path three times, for two sizes and the open).
        var file = ZoneFileReader.OpenFile(path);
        bool small;
        try
        {
            small = parts <= 1 || options.AllowInclude || file.Length < SplitFrom;
        }
        catch
        {
            file.Dispose();
            throw;
        }
        if (small)
        {
            using var reader = ZoneFileReader.Open(file, path, options);
            return Read(reader);
        }
        file.Dispose();
        var text = File.ReadAllBytes(path);
        if (Cuts(text, parts) is { } cuts && Head(text, cuts[0].Offset, path, options) is var (origin, ttl) && ttl is not null)
        {
            var pieces = new ZoneRows?[cuts.Count + 1];
            try
            {
                Parallel.For(0, pieces.Length, i =>
                {
                    int start = i == 0 ? 0 : cuts[i - 1].Offset;
                    int end = i == cuts.Count ? text.Length : cuts[i].Offset;
                    var reader = new StreamReader(new MemoryStream(text, start, end - start, writable: false), Encoding.UTF8);
                    using var piece = i == 0
                        ? new ZoneFileReader(reader, path, options)
                        : ZoneFileReader.Piece(reader, path, options, origin, ttl, cuts[i - 1].Line);
                    pieces[i] = Read(piece);
                });
            }
            catch (AggregateException)
            {
                // Read again in one piece below: the first error in file order, as a plain read names it.
                pieces = [];
            }
            if (pieces.Length > 0 && (options.MaxRecords is null || pieces.Sum(p => (long)p!.Count) <= options.MaxRecords))
            {
                var all = pieces[0]!;
                for (int i = 1; i < pieces.Length; i++)
                    all.AddRange(pieces[i]!);
                read = pieces.Length;
                return all;
            }
        }
        using var whole = ZoneFileReader.Open(path, options);
        return Read(whole);
    }

    private static ZoneRows Read(ZoneFileReader reader)
    {
        var rows = new ZoneRows();
        while (reader.ReadInto(rows))
        {
        }
        return rows;
    }

    /// <summary>
    /// Where the pieces start: the first line at or after each equal cut that begins an entry with
    /// its owner, outside parentheses, with its line number; null when the file must not be split
    /// (a directive after the first cut, or no such line).
    /// </summary>
    private static List<(int Offset, int Line)>? Cuts(byte[] text, int parts)
    {
        var cuts = new List<(int Offset, int Line)>(parts - 1);
        long next = text.Length / parts;
        int depth = 0, line = 1;
        var specials = System.Buffers.SearchValues.Create("()\";\\\n"u8);
        for (int at = 0; at < text.Length;)
        {
            // At the start of line `line`.
            byte first = text[at];
            if (first == (byte)'$' && cuts.Count > 0)
                return null;
            if (depth == 0 && at >= next && cuts.Count < parts - 1 && first is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)';' or (byte)'$' or (byte)'('))
            {
                cuts.Add((at, line));
                next = (long)text.Length * (cuts.Count + 1) / parts;
            }
            // To the end of the line, following parentheses, quotes, escapes and comments.
            int i = at;
            while (true)
            {
                int found = text.AsSpan(i).IndexOfAny(specials);
                if (found < 0)
                {
                    i = text.Length;
                    break;
                }
                i += found;
                byte c = text[i];
                if (c == (byte)'\n')
                    break;
                if (c == (byte)'\\')
                {
                    i += 2;
                }
                else if (c == (byte)';')
                {
                    int nl = text.AsSpan(i).IndexOf((byte)'\n');
                    i = nl < 0 ? text.Length : i + nl;
                    break;
                }
                else if (c == (byte)'"')
                {
                    // A quoted string ends on its line (or the file is refused by the parser anyway).
                    int q = i + 1;
                    while (q < text.Length && text[q] != (byte)'"' && text[q] != (byte)'\n')
                        q += text[q] == (byte)'\\' ? 2 : 1;
                    if (q >= text.Length || text[q] == (byte)'\n')
                    {
                        i = Math.Min(q, text.Length);
                        break;
                    }
                    i = q + 1;
                }
                else
                {
                    depth += c == (byte)'(' ? 1 : -1;
                    i++;
                }
                if (i >= text.Length)
                    break;
            }
            at = i + 1;
            line++;
        }
        return cuts.Count == 0 || depth != 0 ? null : cuts;
    }

    /// <summary>The <c>$ORIGIN</c> and <c>$TTL</c> in effect at the end of the head (the file up to <paramref name="end"/>), from its directives alone.</summary>
    private static (DnsName? Origin, uint? Ttl)? Head(byte[] text, int end, string path, ZoneFileOptions options)
    {
        var directives = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(text, 0, end).Split('\n'))
        {
            if (line.StartsWith("$ORIGIN", StringComparison.OrdinalIgnoreCase) || line.StartsWith("$TTL", StringComparison.OrdinalIgnoreCase))
                directives.Append(line).Append('\n');
            else if (line.StartsWith("$INCLUDE", StringComparison.OrdinalIgnoreCase))
                return null;
        }
        try
        {
            using var reader = new ZoneFileReader(new StringReader(directives.ToString()), path, options);
            while (reader.Read() is not null)
            {
            }
            return (reader.Origin, reader.DefaultTtl);
        }
        catch (ZoneFileException)
        {
            return null;
        }
    }
}
