using System.Collections.Concurrent;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Images;

namespace Rdns.Control.Zones;

/// <summary>
/// The store's rows fed to one snapshot builder per zone in two stages on two threads: the
/// store's thread only copies each row's octets into a batch (it spends its time in the database
/// engine), a second thread takes the batches in order and adds their rows to the builders. The
/// builders see exactly the calls a single thread would have made, in the same order. A zone the
/// zone image holds at the store's revision is not read: it is listed to be built from the image.
/// </summary>
internal sealed class PipelinedRows : IZoneRowReader
{
    private const int RowsPerBatch = 4096;
    private const int BatchOctets = 1 << 20;

    private readonly BlockingCollection<Batch> _full = new(boundedCapacity: 8);
    private readonly ConcurrentQueue<Batch> _free = new();
    private readonly CancellationToken _stop;
    private readonly ZoneImage? _image;
    private readonly IReadOnlyDictionary<long, ZoneImageSource>? _built;
    private readonly IReadOnlySet<long>? _only;
    private readonly List<Copy> _copies = [];
    private Batch _current = new(BatchOctets);
    private bool _consumerFailed;

    private PipelinedRows(CancellationToken stop, ZoneImage? image, IReadOnlyDictionary<long, ZoneImageSource>? built, IReadOnlySet<long>? only)
    {
        _stop = stop;
        _image = image;
        _built = built;
        _only = only;
    }

    /// <summary>A zone read from rows: its store id and revision, its builder, and the first rule its rows broke.</summary>
    public readonly record struct RowZone(long Id, long Revision, ZoneSnapshotBuilder Builder, string? Failure);

    /// <summary>A zone the store holds at a revision already built: in the image (<see cref="Entry"/>) or in memory (<see cref="Built"/>).</summary>
    public readonly record struct Copy(long Id, long Revision, ZoneImage.Entry Entry, ZoneSnapshot? Built);

    /// <summary>What a read gave: zones fed from rows, and the zones to take from a copy instead.</summary>
    public sealed record Read(List<RowZone> Rows, List<Copy> Copies);

    /// <summary>
    /// Reads every zone of the public view of <paramref name="store"/> (or those <paramref name="only"/>
    /// names) into builders, except the zones <paramref name="image"/> or <paramref name="built"/>
    /// (by store row id) hold at the store's current revision.
    /// </summary>
    public static async Task<Read> ReadAsync(IRdnsStore store, ZoneImage? image, IReadOnlyDictionary<long, ZoneImageSource>? built, IReadOnlySet<long>? only, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rows = new PipelinedRows(stop.Token, image, built, only);
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
        List<RowZone> result = [.. builders.Builders.Values];
        builders.Builders.Clear();
        rows._free.Clear();
        rows._current = new Batch(0);
        return new Read(result, rows._copies);
    }

    public bool Zone(long id, string view, DnsName name, uint serial, long revision)
    {
        if (!Addressing.ViewName.IsPublic(view) || (_only is not null && !_only.Contains(id)))
            return false;
        if (_image is not null && _image.TryMatch(id, name, serial, revision, out var entry))
        {
            _copies.Add(new Copy(id, revision, entry, null));
            return false;
        }
        if (_built is not null && _built.TryGetValue(id, out var built) && built.Revision == revision && built.Zone.Origin.Equals(name) && built.Zone.Serial == serial)
        {
            _copies.Add(new Copy(id, revision, default, built.Zone));
            return false;
        }
        var batch = _current;
        if (batch.Count == RowsPerBatch)
            batch = Post();
        batch.Entries[batch.Count++] = new Entry(id, -1, 0, batch.Names.Count, 0, 0, 0, serial);
        batch.Names.Add((name, revision));
        return true;
    }

    public void Zone(long id, DnsName name, uint serial) =>
        throw new InvalidOperationException("the store announces zones with their view and revision");

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
                        builders.Zone(e.ZoneId, batch.Names[e.DataAt].Name, batch.Names[e.DataAt].Revision);
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
        public readonly List<(DnsName Name, long Revision)> Names = [];
        public int Count;
        public int Used;
    }

    /// <summary>Feeds rows into one builder per zone; a zone whose rows break a rule is remembered as failed.</summary>
    private sealed class BuilderRows
    {
        public Dictionary<long, RowZone> Builders { get; } = [];

        public void Zone(long id, DnsName name, long revision) => Builders[id] = new RowZone(id, revision, new ZoneSnapshotBuilder(name), null);

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
                Builders[zoneId] = entry with { Failure = e.Message };
            }
        }
    }
}
