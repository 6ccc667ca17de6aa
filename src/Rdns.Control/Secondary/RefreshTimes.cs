using System.Collections.Concurrent;
using System.Text.Json;
using Rdns.Protocol.Names;

namespace Rdns.Control.Secondary;

/// <summary>
/// When each followed zone last heard from its primary, kept beside the store
/// (<c>DATA/secondary-state.json</c>) so that a restart neither forgets how long a zone has gone
/// without its primary (its SOA EXPIRE counts from then, RFC 1034 §4.3.5) nor extends that time.
/// Written whole to a temporary file and renamed over the old one, at most every couple of
/// seconds: a crash loses at most the last few refresh times, which only makes expiry come sooner.
/// </summary>
public sealed class RefreshTimes
{
    private readonly string? _path;
    private readonly ConcurrentDictionary<DnsName, DateTimeOffset> _times = new();
    private int _dirty;

    private RefreshTimes(string? path) => _path = path;

    /// <summary>Times that are not kept anywhere (tests, a node without a data directory).</summary>
    public static RefreshTimes InMemory() => new(null);

    /// <summary>Reads the file when there is one; an unreadable file is set aside and the times start afresh.</summary>
    public static RefreshTimes Load(string path)
    {
        var times = new RefreshTimes(path);
        if (!File.Exists(path))
            return times;
        try
        {
            var stored = JsonSerializer.Deserialize(File.ReadAllText(path), RefreshTimesJson.Default.DictionaryStringInt64);
            foreach (var (zone, seconds) in stored ?? [])
            {
                if (DnsName.TryParse(zone, null, out var name, out _))
                    times._times[name!] = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Move(path, path + ".unreadable", overwrite: true);
            }
            catch (IOException)
            {
            }
        }
        return times;
    }

    public DateTimeOffset? Get(DnsName zone) => _times.TryGetValue(zone, out var t) ? t : null;

    public void Set(DnsName zone, DateTimeOffset time)
    {
        _times[zone] = time;
        Volatile.Write(ref _dirty, 1);
    }

    public void Remove(DnsName zone)
    {
        if (_times.TryRemove(zone, out _))
            Volatile.Write(ref _dirty, 1);
    }

    /// <summary>Writes the file if anything changed since the last save.</summary>
    public void SaveIfChanged()
    {
        if (_path is null || Interlocked.Exchange(ref _dirty, 0) == 0)
            return;
        var snapshot = _times.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.ToUnixTimeSeconds());
        var temporary = _path + ".tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(snapshot, RefreshTimesJson.Default.DictionaryStringInt64));
            File.Move(temporary, _path, overwrite: true);
        }
        catch (IOException)
        {
            Volatile.Write(ref _dirty, 1);
            throw;
        }
    }
}
