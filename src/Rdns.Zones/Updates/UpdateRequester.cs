using System.Net;

namespace Rdns.Zones.Updates;

/// <summary>
/// Who sent an UPDATE: the TSIG key that signed it (verified), or none, the client's address, and
/// the view admission chose for it (by the client, the listener or the key), whose zones it changes.
/// </summary>
public sealed record UpdateRequester(string? KeyName, IPAddress? Client)
{
    public string View { get; init; } = Addressing.ViewName.Public;
}
