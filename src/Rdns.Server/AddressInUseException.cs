using System.Net;
using System.Net.Sockets;

namespace Rdns.Server;

/// <summary>
/// The DNS address is taken by another process. Said plainly rather than shared: two servers on
/// one port would each get part of the queries (SO_REUSEPORT balances between them) and answer
/// from different data.
/// </summary>
public sealed class AddressInUseException(string transport, IPEndPoint endpoint, SocketException inner)
    : Exception($"DNS address {endpoint} ({transport}) is already in use by another process; stop it, or give this server another --dns", inner)
{
    public string Transport { get; } = transport;

    public IPEndPoint Endpoint { get; } = endpoint;
}
