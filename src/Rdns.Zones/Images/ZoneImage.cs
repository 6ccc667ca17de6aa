using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Zones.Images;

/// <summary>
/// A zone image read back (<see cref="ZoneImageWriter"/> has the layout): checked whole when
/// opened (magic, format version, store id, checksum, every zone's extent), each zone built from
/// it only on demand. A zone is taken from the image only when the store names the same row id,
/// name, serial and revision (<see cref="TryMatch"/>); the revision is new with every write of a
/// zone's data, so a match proves the image holds what the store holds.
/// </summary>
public sealed class ZoneImage : IDisposable
{
    private readonly ReadOnlyMemory<byte> _octets;
    private readonly IDisposable? _owner;
    private readonly Dictionary<long, Entry> _zones;
    private readonly int[] _suffixes;

    /// <summary>Where one zone lies in the image, and what it was built at.</summary>
    public readonly record struct Entry(long Id, long Revision, uint Serial, DnsName Origin, int BodyAt, int BodyLength);

    private ZoneImage(ReadOnlyMemory<byte> octets, IDisposable? owner, Dictionary<long, Entry> zones, int[] suffixes)
    {
        _octets = octets;
        _owner = owner;
        _zones = zones;
        _suffixes = suffixes;
    }

    public int Count => _zones.Count;

    /// <summary>The zones the image holds.</summary>
    public IEnumerable<Entry> Entries => _zones.Values;

    /// <summary>
    /// Opens an image written for the store <paramref name="storeId"/>; null, with the reason, when
    /// it cannot be used (damaged, truncated, another format version, another store). Interns the
    /// image's target suffixes in the process's table.
    /// </summary>
    public static ZoneImage? Open(byte[] octets, string storeId, out string? problem) => Open(octets, null, storeId, out problem);

    /// <summary>
    /// Maps the image file at <paramref name="path"/> (see <see cref="Open(byte[], string, out string?)"/>);
    /// null without a <paramref name="problem"/> when there is no such file. Dispose it once its zones are built.
    /// </summary>
    public static ZoneImage? OpenFile(string path, string storeId, out string? problem)
    {
        MappedOctets? mapped;
        try
        {
            mapped = MappedOctets.Open(path);
        }
        catch (FileNotFoundException)
        {
            problem = null;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            problem = e.Message;
            return null;
        }
        if (mapped is null)
        {
            problem = "not a zone image (an empty file)";
            return null;
        }
        var image = Open(mapped.Memory, mapped, storeId, out problem);
        if (image is null)
            ((IDisposable)mapped).Dispose();
        return image;
    }

    private static ZoneImage? Open(ReadOnlyMemory<byte> octets, IDisposable? owner, string storeId, out string? problem)
    {
        try
        {
            var image = Read(octets, owner, storeId);
            problem = null;
            return image;
        }
        catch (InvalidDataException e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Unmaps the file and drops the index of zones (a name per zone): nothing of the image outlives the start.</summary>
    public void Dispose()
    {
        _owner?.Dispose();
        _zones.Clear();
        _zones.TrimExcess();
    }

    private static ZoneImage Read(ReadOnlyMemory<byte> memory, IDisposable? owner, string storeId)
    {
        var octets = memory.Span;
        var magic = ZoneImageWriter.Magic;
        if (octets.Length < magic.Length + 4 + 8 || !octets[..magic.Length].SequenceEqual(magic))
            throw new InvalidDataException("not a zone image");
        ulong checksum = (ulong)new ImageReader(octets[^8..]).I64();
        if (ImageChecksum.Of(octets[..^8]) != checksum)
            throw new InvalidDataException("the checksum does not match (damaged or truncated)");
        var input = new ImageReader(octets[..^8]);
        input.Skip(magic.Length);
        uint version = input.U32();
        if (version != ZoneImageWriter.FormatVersion)
            throw new InvalidDataException($"format version {version}, this build reads {ZoneImageWriter.FormatVersion}");
        if (!input.Short().SequenceEqual(System.Text.Encoding.UTF8.GetBytes(storeId)))
            throw new InvalidDataException("it was written for another store");
        int count = input.Count(int.MaxValue);
        var zones = new Dictionary<long, Entry>(count);
        for (int i = 0; i < count; i++)
        {
            long id = input.I64();
            long revision = input.I64();
            uint serial = input.U32();
            if (!DnsName.TryFromWire(input.Short(), out var origin))
                throw new InvalidDataException("a zone's name is malformed");
            int length = input.Count(input.Remaining);
            zones[id] = new Entry(id, revision, serial, origin, input.Position, length);
            input.Skip(length);
        }
        if (input.I64() != input.Position)
            throw new InvalidDataException("the zones do not end where the suffixes begin");
        int suffixCount = input.Count(TargetSuffixes.MaxCount);
        var suffixes = new int[suffixCount];
        for (int i = 0; i < suffixCount; i++)
        {
            var suffix = input.Short();
            if (!DnsName.TryFromWire(suffix, out _))
                throw new InvalidDataException("a target suffix is malformed");
            int id = TargetSuffixes.Intern(suffix);
            suffixes[i] = id >= 0 ? id : throw new InvalidDataException("the process's suffix table is full");
        }
        if (input.Remaining != 0)
            throw new InvalidDataException("octets follow the suffixes");
        return new ZoneImage(memory, owner, zones, suffixes);
    }

    /// <summary>The image's copy of the zone the store holds as row <paramref name="id"/> at <paramref name="revision"/>, if it has that very state.</summary>
    public bool TryMatch(long id, DnsName name, uint serial, long revision, out Entry entry) =>
        _zones.TryGetValue(id, out entry) && entry.Revision == revision && entry.Serial == serial && entry.Origin.Equals(name);

    /// <summary>Builds the zone of <paramref name="entry"/>; a zone the image cannot give is a <see cref="ZoneDataException"/> or an <see cref="InvalidDataException"/>.</summary>
    public ZoneSnapshot Build(Entry entry)
    {
        var input = new ImageReader(_octets.Span.Slice(entry.BodyAt, entry.BodyLength));
        var builder = new ZoneSnapshotBuilder(entry.Origin);
        int records = input.Count(entry.BodyLength);
        for (int i = 0; i < records; i++)
        {
            if (!DnsName.TryFromWire(input.Short(), out var owner))
                throw new InvalidDataException($"{entry.Origin}: an owner name is malformed");
            var type = (RecordType)input.U16();
            uint ttl = input.U32();
            var data = input.Octets(input.U16()).ToArray();
            builder.AddNodeRecord(new ResourceRecord(owner, type, RecordClass.IN, ttl, data));
        }
        if (input.U8() != 0)
        {
            var info = builder.Layout ?? throw new InvalidDataException($"{entry.Origin}: a compact table in a zone that can hold none");
            builder.UseTable(CompactPtrTable.ReadImage(ref input, AddressSpace.Of(info), _suffixes));
        }
        if (input.Remaining != 0)
            throw new InvalidDataException($"{entry.Origin}: octets follow the zone");
        var zone = builder.Build();
        return zone.Serial == entry.Serial ? zone : throw new InvalidDataException($"{entry.Origin}: the image's SOA serial is not the zone's");
    }
}
