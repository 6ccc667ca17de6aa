namespace Rdns.Server.Dnstap;

/// <summary>
/// A bounded queue of preallocated byte slots: many query threads write, one writer thread reads
/// (Vyukov's bounded queue: a sequence number per cell, one compare-and-swap to claim a cell). A
/// full queue refuses at once; nothing waits and nothing is allocated after construction.
/// </summary>
internal sealed class FrameQueue
{
    private struct Cell
    {
        public long Sequence;
        public int Length;
        public byte[] Data;
    }

    private readonly Cell[] _cells;
    private readonly int _mask;
    private long _enqueue;
    private long _dequeue;

    public FrameQueue(int capacity, int slotSize)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _cells = new Cell[size];
        for (int i = 0; i < size; i++)
        {
            _cells[i].Sequence = i;
            _cells[i].Data = new byte[slotSize];
        }
        _mask = size - 1;
        SlotSize = slotSize;
    }

    public int SlotSize { get; }

    public int Capacity => _cells.Length;

    /// <summary>Claims a slot for writing; false when the queue is full. The caller must <see cref="Publish"/> it.</summary>
    public bool TryClaim(out long position, out Span<byte> slot)
    {
        long pos = Volatile.Read(ref _enqueue);
        while (true)
        {
            ref var cell = ref _cells[pos & _mask];
            long diff = Volatile.Read(ref cell.Sequence) - pos;
            if (diff == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueue, pos + 1, pos) == pos)
                {
                    position = pos;
                    slot = cell.Data;
                    return true;
                }
                pos = Volatile.Read(ref _enqueue);
            }
            else if (diff < 0)
            {
                position = 0;
                slot = default;
                return false;
            }
            else
            {
                pos = Volatile.Read(ref _enqueue);
            }
        }
    }

    /// <summary>Makes a claimed slot readable with <paramref name="length"/> octets (0: nothing to send, skipped by the reader).</summary>
    public void Publish(long position, int length)
    {
        ref var cell = ref _cells[position & _mask];
        cell.Length = length;
        Volatile.Write(ref cell.Sequence, position + 1);
    }

    /// <summary>The next published slot, for the one reader; false when none is ready. Call <see cref="Release"/> after.</summary>
    public bool TryPeek(out ReadOnlySpan<byte> frame)
    {
        ref var cell = ref _cells[_dequeue & _mask];
        if (Volatile.Read(ref cell.Sequence) != _dequeue + 1)
        {
            frame = default;
            return false;
        }
        frame = cell.Data.AsSpan(0, cell.Length);
        return true;
    }

    public void Release()
    {
        ref var cell = ref _cells[_dequeue & _mask];
        Volatile.Write(ref cell.Sequence, _dequeue + _mask + 1);
        _dequeue++;
    }
}
