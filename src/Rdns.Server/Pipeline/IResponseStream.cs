namespace Rdns.Server.Pipeline;

/// <summary>Sends the messages of one response stream (a zone transfer sends many) over a TCP connection.</summary>
public interface IResponseStream
{
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);
}
