using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Text;

/// <summary>How a <see cref="ZoneFileReader"/> reads, and the limits it holds hostile input to.</summary>
public sealed record ZoneFileOptions
{
    /// <summary>
    /// The origin before any <c>$ORIGIN</c> (RFC 1035 §5.1), normally the zone's name. Also the
    /// apex that <see cref="CheckZone"/> checks owners against.
    /// </summary>
    public DnsName? Origin { get; init; }

    /// <summary>A <c>$TTL</c> in effect before the file sets one; null means none.</summary>
    public uint? DefaultTtl { get; init; }

    /// <summary>
    /// The zone's class. A record that names another class is an error, as in BIND. IN unless a
    /// caller reads, say, a CH zone on purpose; the server serves IN.
    /// </summary>
    public RecordClass Class { get; init; } = RecordClass.IN;

    /// <summary>
    /// Refuse a record whose owner is not at or below <see cref="Origin"/> ("out of zone").
    /// BIND only warns and drops such records; silently dropping data is worse than refusing it.
    /// </summary>
    public bool CheckZone { get; init; }

    /// <summary>
    /// Allow <c>$INCLUDE</c>. Off by default: a zone file that comes from a user or an API must
    /// not be able to read other files on the server.
    /// </summary>
    public bool AllowInclude { get; init; }

    /// <summary>How deeply <c>$INCLUDE</c> may nest; 8 is far beyond real use and stops include loops early.</summary>
    public int MaxIncludeDepth { get; init; } = 8;

    /// <summary>
    /// Longest physical line, in characters. 1 MiB: our writer puts each record on one line, and
    /// the longest record (65,535 octets of RDATA written as \DDD escapes) is about 262,000.
    /// </summary>
    public int MaxLineLength { get; init; } = 1 << 20;

    /// <summary>Longest entry (lines joined by parentheses), in characters; same reasoning as the line limit.</summary>
    public int MaxEntryLength { get; init; } = 1 << 20;

    /// <summary>Most records one read may produce, including generated ones; null means no limit.</summary>
    public long? MaxRecords { get; init; }

    /// <summary>
    /// Most records one <c>$GENERATE</c> may produce. 65,536 covers every address of an IPv4 /16,
    /// which is more than one reverse zone should hold in generated names.
    /// </summary>
    public int MaxGenerateCount { get; init; } = 65536;
}
