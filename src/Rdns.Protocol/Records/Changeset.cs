namespace Rdns.Protocol.Records;

/// <summary>
/// One committed change to a zone: the records removed and added in going from one SOA serial to
/// the next (the unit of the journal and of IXFR, RFC 1995 §4). The SOA itself is part of both
/// sets: the old SOA is removed, the new one added.
/// </summary>
public sealed record Changeset(uint FromSerial, uint ToSerial, IReadOnlyList<ResourceRecord> Removed, IReadOnlyList<ResourceRecord> Added);
