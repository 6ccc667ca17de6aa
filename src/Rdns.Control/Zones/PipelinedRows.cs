using System.Collections.Concurrent;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Control.Zones;

/// <summary>
/// The store's rows fed to one snapshot builder per zone in two stages on two threads: the
/// store's thread only copies each row's octets into a batch (it spends its time in the database
/// engine), a second thread takes the batches in order and adds their rows to the builders. The
/// builders see exactly the calls a single thread would have made, in the same order.
/// </summary>
internal sealed class PipelinedRows : IZoneRowReader
{
    private const int RowsPerBatch = 4096;
    private const int BatchOctets = 1 << 20;

    private readonly BlockingCollection<Batch> _full = new(boundedCapacity: 8);
    private readonly ConcurrentQueue<Batch> _free = new();
    private readonly CancellationToken _stop;
    private Batch _current = new(BatchOctets);
    private bool _consumerFailed;

    private PipelinedRows(CancellationToken stop) => _stop = stop;

    /// <summary>Reads every zone of <paramref name="store"/> into builders; a zone whose rows break a rule comes with the first failure.</summary>
    public static async Task<List<(ZoneSnapshotBuilder Builder, string? Failure)>> ReadAsync(IRdnsStore store, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rows = new PipelinedRows(stop.Token);
        var builders = new BuilderRows();
        var consumer = Task.Factory.StartNew(() => rows.Consume(builders, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await store.LoadAllAsync(rows, stop.Token).ConfigureAwait(false);
            rows.Post();
        }
        catch (OperationCanceledException) when (Volatile.Read(ref rows._consumerFailed))
        {
            // The builders' thread failed and stopped the reading: its error is the one to report.
        }
        finally
        {
            rows._full.CompleteAdding();
        }
        await consumer.ConfigureAwait(false);
        // Whatever may still refer to this reader or the consumer's closure (a finished task, its
        // thread) must not keep the builders' arenas or the batches alive once the zones are built.
        List<(ZoneSnapshotBuilder, string?)> result = [.. builders.Builders.Values];
        builders.Builders.Clear();
        rows._free.Clear();
        rows._current = new Batch(0);
        return result;
    }

    public void Zone(long id, DnsName name, uint serial)
    {
        var batch = _current;
        if (batch.Count == RowsPerBatch)
            batch = Post();
        batch.Entries[batch.Count++] = new Entry(id, -1, 0, batch.Names.Count, 0, 0, 0, serial);
        batch.Names.Add(name);
    }

    public void Row(long zoneId, ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
    {
        var batch = _current;
        if (batch.Count == RowsPerBatch || batch.Used + owner.Length + data.Length > BatchOctets)
            batch = Post();
        int ownerAt = batch.Used;
        owner.CopyTo(batch.Octets.AsSpan(ownerAt));
        int dataAt = ownerAt + owner.Length;
        data.CopyTo(batch.Octets.AsSpan(dataAt));
        batch.Used = dataAt + data.Length;
        batch.Entries[batch.Count++] = new Entry(zoneId, ownerAt, owner.Length, dataAt, data.Length, type, cls, ttl);
    }

    /// <summary>Hands the current batch to the builders' thread (when it holds anything) and starts another.</summary>
    private Batch Post()
    {
        if (_current.Count > 0)
        {
            _full.Add(_current, _stop);
            _current = _free.TryDequeue(out var reused) ? reused : new Batch(BatchOctets);
        }
        return _current;
    }

    private void Consume(BuilderRows builders, CancellationTokenSource stop)
    {
        try
        {
            foreach (var batch in _full.GetConsumingEnumerable())
            {
                var octets = batch.Octets;
                for (int i = 0; i < batch.Count; i++)
                {
                    var e = batch.Entries[i];
                    if (e.OwnerAt < 0)
                        builders.Zone(e.ZoneId, batch.Names[e.DataAt]);
                    else
                        builders.Row(e.ZoneId, octets.AsSpan(e.OwnerAt, e.OwnerLength), e.Type, e.Class, e.Ttl, octets.AsSpan(e.DataAt, e.DataLength));
                }
                batch.Count = 0;
                batch.Used = 0;
                batch.Names.Clear();
                _free.Enqueue(batch);
            }
        }
        catch
        {
            Volatile.Write(ref _consumerFailed, true);
            stop.Cancel();
            throw;
        }
    }

    /// <summary>One row, or (with a negative <see cref="OwnerAt"/>) a zone announced, its name at <see cref="DataAt"/> of the batch's names.</summary>
    private readonly record struct Entry(long ZoneId, int OwnerAt, int OwnerLength, int DataAt, int DataLength, RecordType Type, RecordClass Class, uint Ttl);

    private sealed class Batch(int octets)
    {
        public readonly byte[] Octets = new byte[octets];
        public readonly Entry[] Entries = new Entry[octets == 0 ? 0 : RowsPerBatch];
        public readonly List<DnsName> Names = [];
        public int Count;
        public int Used;
    }

    /// <summary>Feeds rows into one builder per zone; a zone whose rows break a rule is remembered as failed.</summary>
    private sealed class BuilderRows
    {
        public Dictionary<long, (ZoneSnapshotBuilder Builder, string? Failure)> Builders { get; } = [];

        public void Zone(long id, DnsName name) => Builders[id] = (new ZoneSnapshotBuilder(name), null);

        public void Row(long zoneId, ReadOnlySpan<byte> owner, RecordType type, RecordClass cls, uint ttl, ReadOnlySpan<byte> data)
        {
            if (!Builders.TryGetValue(zoneId, out var entry) || entry.Failure is not null)
                return;
            try
            {
                entry.Builder.Add(owner, type, cls, ttl, data);
            }
            catch (ZoneDataException e)
            {
                Builders[zoneId] = (entry.Builder, e.Message);
            }
        }
    }
}
