using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;

namespace Rdns.Protocol.Records;

/// <summary>
/// One resource record. RDATA is kept in uncompressed wire form with names case-preserved, which
/// is the form zone files, transfers and the journal all agree on.
/// </summary>
public sealed record ResourceRecord(DnsName Owner, RecordType Type, RecordClass Class, uint Ttl, byte[] Data)
{
    public ResourceRecord(DnsName owner, RecordType type, uint ttl, byte[] data)
        : this(owner, type, RecordClass.IN, ttl, data)
    {
    }

    /// <summary>Same owner, type, class and RDATA (names in RDATA compared ignoring case); TTL ignored.</summary>
    public bool SameData(ResourceRecord other) =>
        Type == other.Type && Class == other.Class && Owner.Equals(other.Owner) &&
        Rdata.Equal(Type, Data, other.Data);

    public bool Equals(ResourceRecord? other) =>
        other is not null && Ttl == other.Ttl && SameData(other);

    public override int GetHashCode() => HashCode.Combine(Owner, Type, Class, Ttl, Data.Length);

    public override string ToString() =>
        $"{Owner} {Ttl} {RecordTypeText.ClassToText(Class)} {RecordTypeText.ToText(Type)} {Rdata.ToText(Type, Data)}";
}
