using System.Net;

namespace Rdns.Zones.Updates;

/// <summary>Who sent an UPDATE: the TSIG key that signed it (verified), or none, and the client's address.</summary>
public sealed record UpdateRequester(string? KeyName, IPAddress? Client);
