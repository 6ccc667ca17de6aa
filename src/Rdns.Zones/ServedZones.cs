namespace Rdns.Zones;

/// <summary>
/// The zones this process answers for: one <see cref="ZoneSet"/> readers take without locking,
/// replaced whole by writers, which serialize among themselves.
/// </summary>
public sealed class ServedZones
{
    private readonly Lock _writeLock = new();
    private volatile ZoneSet _current = ZoneSet.Empty;

    public ZoneSet Current => _current;

    public void Replace(ZoneSet zones)
    {
        lock (_writeLock)
            _current = zones;
    }

    /// <summary>Applies <paramref name="change"/> to the current set atomically with respect to other writers.</summary>
    public ZoneSet Update(Func<ZoneSet, ZoneSet> change)
    {
        ZoneSet next;
        lock (_writeLock)
        {
            next = change(_current);
            _current = next;
        }
        return next;
    }
}
