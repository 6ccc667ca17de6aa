namespace Rdns.Api.Tests.Secondary;

/// <summary>Following PowerDNS with transfers allowed by address.</summary>
public sealed class PowerDnsPrimaryTests() : PowerDnsPrimaryFollowing(signed: false);
