using System.Collections.Concurrent;
using Rdns.Protocol.Wire;

namespace Rdns.Server.Transfers;

/// <summary>
/// A transfer's message buffer with the writer's compression tables (about 150 KiB together), kept
/// between transfers: a secondary that follows every change asks for an IXFR per change, and
/// fresh tables each time were most of what a busy primary allocated. At most
/// <see cref="MaxIdle"/> are kept; a burst beyond that makes new ones and lets them go.
/// </summary>
internal sealed class TransferScratch
{
    /// <summary>As many as transfers commonly run at once; more are made when needed, not kept.</summary>
    public const int MaxIdle = 16;

    private TransferScratch(int capacity) => Writer = new BulkMessageWriter(new byte[capacity], capacity);

    public BulkMessageWriter Writer { get; }

    public byte[] Buffer => Writer.Buffer;

    /// <summary>Idle scratch spaces of one handler.</summary>
    public sealed class Pool(int capacity)
    {
        private readonly ConcurrentQueue<TransferScratch> _idle = new();
        private int _count;

        public TransferScratch Rent()
        {
            if (_idle.TryDequeue(out var scratch))
            {
                Interlocked.Decrement(ref _count);
                return scratch;
            }
            return new TransferScratch(capacity);
        }

        public void Return(TransferScratch scratch)
        {
            if (Interlocked.Increment(ref _count) > MaxIdle)
            {
                Interlocked.Decrement(ref _count);
                return;
            }
            _idle.Enqueue(scratch);
        }
    }
}
