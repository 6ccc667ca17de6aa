namespace Rdns.Api.Dnssec;

/// <summary>
/// <c>POST /v1/zones/{name}/dnssec</c>: <see cref="Algorithm"/> 13 (ECDSA P-256/SHA-256, the
/// default) or 15 (Ed25519); <see cref="Keys"/> "csk" (default) or "ksk-zsk"; <see cref="Denial"/>
/// "compact" (RFC 9824, default) or "nsec" (RFC 4470). Omitted fields take the server's defaults.
/// </summary>
public sealed record EnableDnssecRequest(int? Algorithm, string? Keys, string? Denial);

/// <summary><c>POST /v1/zones/{name}/dnssec/rollover</c>: which key to roll, "zsk", "ksk" or "csk".</summary>
public sealed record RolloverRequest(string? Key);
