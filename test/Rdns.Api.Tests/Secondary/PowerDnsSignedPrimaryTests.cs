namespace Rdns.Api.Tests.Secondary;

/// <summary>Following PowerDNS with transfers allowed only by TSIG key.</summary>
public sealed class PowerDnsSignedPrimaryTests() : PowerDnsPrimaryFollowing(signed: true);
