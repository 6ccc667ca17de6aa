namespace Rdns.Zones.Dnssec;

/// <summary>
/// What one query asks of DNSSEC: the zone's signer when the query set DO (RFC 3225) and the zone
/// is signed, else none; and whether the client set Compact Answers OK (RFC 9824 §4), so that a
/// compact denial of a name that does not exist may keep the NXDOMAIN RCODE.
/// </summary>
public readonly record struct AnswerSigning(ZoneSigner? Signer, bool CompactAnswersOk = false);
