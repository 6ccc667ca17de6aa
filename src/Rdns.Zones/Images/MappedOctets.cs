using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Rdns.Zones.Images;

/// <summary>
/// A file's octets mapped read-only into memory: read on demand from the page cache, and gone
/// from the process the moment it is disposed, instead of tens of MiB of managed array that stay
/// until a full collection finds them unreferenced.
/// </summary>
internal sealed unsafe class MappedOctets : MemoryManager<byte>
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly int _length;

    private MappedOctets(MemoryMappedFile file, MemoryMappedViewAccessor view, int length)
    {
        _file = file;
        _view = view;
        _length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + view.PointerOffset;
    }

    /// <summary>Maps <paramref name="path"/>; null when it is empty (nothing to map).</summary>
    public static MappedOctets? Open(string path)
    {
        long length = new FileInfo(path).Length;
        if (length == 0)
            return null;
        if (length > int.MaxValue)
            throw new InvalidDataException("the image is larger than 2 GiB");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            return new MappedOctets(file, file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read), (int)length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing)
            return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
