using System.Runtime.InteropServices;
using Rdns.Zones;
using Rdns.Zones.Images;

namespace Rdns.Control.Zones;

/// <summary>
/// The zone image of a data directory (<see cref="FileName"/>): the server's built zones, written
/// after a start that had to build any zone from the store's rows, and read at the next start
/// instead of the rows of every zone it holds at the store's current revision. It is only a cache:
/// a missing, damaged or outdated image, or one of another store or format, is ignored, and the
/// file can be deleted at any time.
/// </summary>
public sealed partial class ZoneImageFile(string path, string storeId)
{
    public const string FileName = "zones.image";

    public string Path { get; } = path;

    public string StoreId { get; } = storeId;

    public static ZoneImageFile In(string dataDirectory, string storeId) => new(System.IO.Path.Combine(dataDirectory, FileName), storeId);

    /// <summary>The image, mapped (dispose it once its zones are built), or null: absent (no <paramref name="problem"/>) or unusable (the reason in <paramref name="problem"/>).</summary>
    public ZoneImage? Open(out string? problem) => ZoneImage.OpenFile(Path, StoreId, out problem);

    /// <summary>
    /// Replaces the image with one of <paramref name="zones"/>, atomically: written to a temporary
    /// file, flushed to disk, renamed over the old one, and the directory flushed, so a crash
    /// leaves either image whole. Returns the zones written and the file's size.
    /// </summary>
    public (int Zones, long Octets) Write(IReadOnlyList<ZoneImageSource> zones)
    {
        var temporary = Path + ".tmp";
        int written;
        long size;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temporary, options))
        {
            written = ZoneImageWriter.Write(file, StoreId, zones);
            file.Flush(flushToDisk: true);
            size = file.Length;
        }
        File.Move(temporary, Path, overwrite: true);
        SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        return (written, size);
    }

    /// <summary>Flushes a directory's entries (the rename) to disk; nothing on systems without fsync of a directory.</summary>
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int fd = Open(directory, 0);
        if (fd < 0)
            return;
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
