using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Rdns.Storage;

namespace Rdns.Hosting;

/// <summary>
/// The data directory of one <c>rdns serve</c>. It is held exclusively while the server runs
/// (<c>rdns.lock</c>, an flock the kernel drops when the process dies, even by SIGKILL), checked
/// writable before anything else happens, and remembers the store it was used with
/// (<c>store.id</c>, the store's own id): a directory that has held a store never gets a new,
/// empty one silently — a lost, truncated or swapped database stops the start instead, unless the
/// operator says <c>--init</c>.
/// </summary>
public sealed partial class DataDirectory : IDisposable
{
    public const string LockFileName = "rdns.lock";

    public const string StoreIdFileName = "store.id";

    /// <summary>.NET reports a refused flock as an IOException carrying errno EWOULDBLOCK (EAGAIN).</summary>
    private static readonly int EWouldBlock = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 35 : 11;

    private readonly FileStream _lock;

    private DataDirectory(string path, FileStream lockFile)
    {
        FullPath = path;
        _lock = lockFile;
    }

    public string FullPath { get; }

    private string StoreIdPath => Path.Combine(FullPath, StoreIdFileName);

    /// <summary>True when a store has lived here: its id or the admin key it wrote is present.</summary>
    public bool HasHeldAStore => File.Exists(StoreIdPath) || File.Exists(Path.Combine(FullPath, AdminKey.FileName));

    /// <summary>Creates the directory when needed, proves it writable and takes its lock; one clear error otherwise.</summary>
    public static DataDirectory Open(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"data directory {full}: cannot create it: {e.Message}");
        }
        var lockPath = Path.Combine(full, LockFileName);
        FileStream lockFile;
        try
        {
            // FileShare.None is an exclusive flock(2) on Unix, taken without waiting.
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            lockFile = new FileStream(lockPath, options);
        }
        catch (IOException e) when (e.HResult == EWouldBlock)
        {
            // The lock is held: another process serves from this directory.
            var holder = ReadHolder(lockPath) is { } pid ? $"PID {pid}" : "PID unknown";
            throw new StartupException($"data directory {full} is in use by another rdns serve ({holder}, holding {lockPath}); " +
                                       "stop that one first, or give this one its own --data");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException(NotWritable(full, e));
        }
        try
        {
            lockFile.SetLength(0);
            lockFile.Write(Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            lockFile.Flush(flushToDisk: true);
            ProveWritable(full);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
        return new DataDirectory(full, lockFile);
    }

    /// <summary>
    /// A file is created and removed: a directory that can be read but not written (read-only
    /// mount, wrong owner) is reported now, naming it, rather than as a database error later.
    /// </summary>
    private static void ProveWritable(string directory)
    {
        var probe = Path.Combine(directory, $".rdns-write-test-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException(NotWritable(directory, e));
        }
    }

    private static string NotWritable(string directory, Exception e) =>
        $"data directory {directory} is not writable ({e.Message.TrimEnd('.')}); rdns keeps its lock, store and admin key there: " +
        "make it writable for this user, or choose another --data";

    /// <summary>The id in <c>store.id</c>, or null when there is none.</summary>
    public string? ReadStoreId() =>
        File.Exists(StoreIdPath) ? File.ReadAllText(StoreIdPath).Trim() is { Length: > 0 } id ? id : null : null;

    /// <summary>Replaces <c>store.id</c> in one step (write beside, then rename), so a crash leaves the old or the new id.</summary>
    public void WriteStoreId(string id)
    {
        var temporary = StoreIdPath + ".new";
        File.WriteAllText(temporary, id + "\n");
        File.Move(temporary, StoreIdPath, overwrite: true);
    }

    /// <summary>
    /// Before a SQLite store is opened: a missing or empty database file in a directory that has
    /// held a store is a lost store, not a first start. Refused unless <paramref name="init"/>;
    /// with it, a write-ahead log left without its database is moved aside so SQLite cannot replay
    /// old pages into the new file.
    /// </summary>
    public void CheckSqliteFile(string databasePath, bool init, TextWriter output)
    {
        var file = new FileInfo(databasePath);
        if (file.Exists && file.Length > 0)
            return;
        if (!HasHeldAStore)
            return;
        if (!init)
        {
            throw new StartupException($"data directory {FullPath} has held a store ({Evidence()}), but the store {databasePath} is " +
                                       $"{(file.Exists ? "empty" : "missing")}; refusing to start a new, empty one in its place. " +
                                       "Restore it from a backup, or start once with --init to create a new empty store here");
        }
        foreach (var suffix in (string[])["-wal", "-shm"])
        {
            var orphan = databasePath + suffix;
            if (File.Exists(orphan))
            {
                var aside = $"{orphan}.orphaned-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
                File.Move(orphan, aside);
                output.WriteLine($"rdns: --init: moved {orphan} (left without its database) to {aside}");
            }
        }
    }

    /// <summary>
    /// After the store is open: the store must be the one this directory was used with. A new
    /// store gets an id; the directory records it. An empty store where one has lived, or a store
    /// with another id, is refused unless <paramref name="init"/>, which accepts the store found.
    /// </summary>
    public async Task AdoptStoreAsync(IRdnsStore store, string storeDescription, bool init, TextWriter output, CancellationToken cancellationToken)
    {
        var remembered = ReadStoreId();
        var id = await store.GetIdentityAsync(cancellationToken).ConfigureAwait(false);
        if (id is null)
        {
            bool empty = await store.IsEmptyAsync(cancellationToken).ConfigureAwait(false);
            if (empty && HasHeldAStore && !init)
            {
                throw new StartupException($"data directory {FullPath} has held a store ({Evidence()}), but the store {storeDescription} is empty; " +
                                           "refusing to start as if this were a first start. Point --store at the right database, " +
                                           "or start once with --init to use this empty store here");
            }
            if (!empty && remembered is not null && !init)
                throw Mismatch(storeDescription, remembered, "none");
            id = await store.ClaimIdentityAsync(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                new AuditEntry("system", "store.identify", "-", $"first used with data directory {FullPath}"), cancellationToken).ConfigureAwait(false);
        }
        else if (remembered is not null && remembered != id && !init)
        {
            throw Mismatch(storeDescription, remembered, id);
        }
        if (remembered != id)
        {
            WriteStoreId(id);
            if (remembered is not null)
                output.WriteLine($"rdns: --init: {StoreIdPath} now names store {id} (was {remembered})");
        }
    }

    private StartupException Mismatch(string storeDescription, string remembered, string found) =>
        new($"the store {storeDescription} is not the one data directory {FullPath} was used with ({StoreIdPath} says {remembered}, " +
            $"the store's id is {found}); refusing to start. Point --data and --store at a matching pair, or start once with --init " +
            "to accept this store for this directory");

    private string Evidence()
    {
        var present = new[] { StoreIdFileName, AdminKey.FileName }.Where(f => File.Exists(Path.Combine(FullPath, f))).ToList();
        return $"{string.Join(" and ", present)} {(present.Count == 1 ? "is" : "are")} there";
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// The PID in a lock file another process holds. Read with open(2) and read(2) directly: .NET
    /// would take a shared flock to read it, which the holder's exclusive one refuses.
    /// </summary>
    private static unsafe int? ReadHolder(string lockPath)
    {
        if (OperatingSystem.IsWindows())
            return null;
        int fd = open(lockPath, 0 /* O_RDONLY */);
        if (fd < 0)
            return null;
        try
        {
            var buffer = new byte[32];
            nint n;
            fixed (byte* p = buffer)
                n = read(fd, p, buffer.Length);
            return n > 0 && int.TryParse(Encoding.ASCII.GetString(buffer, 0, (int)n).Trim(), out int pid) ? pid : null;
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close(int fd);
}
