using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Updates;

/// <summary>
/// A record of an UPDATE's prerequisite or update section (RFC 2136 §2.4, §2.5). Its class says
/// what it means (the zone's class: a value; ANY: an RRset or a name; NONE: absence or one RR to
/// delete), so it is kept as sent; <see cref="Data"/> is empty when RDLENGTH was 0.
/// </summary>
public sealed record UpdateRecord(DnsName Owner, RecordType Type, RecordClass Class, uint Ttl, byte[] Data)
{
    public override string ToString() =>
        Data.Length == 0
            ? $"{Owner} {Ttl} {RecordTypeText.ClassToText(Class)} {RecordTypeText.ToText(Type)}"
            : $"{Owner} {Ttl} {RecordTypeText.ClassToText(Class)} {RecordTypeText.ToText(Type)} {Rdata.ToText(Type, Data)}";
}
