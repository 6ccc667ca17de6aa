namespace Rdns.Control.Tests;

/// <summary>
/// A test's scratch: a temporary data directory, and what the test opened there (stores,
/// writers, PostgreSQL databases), disposed in reverse order after it, then the directory deleted.
/// </summary>
public abstract class StoreScratch(string prefix) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    protected string DataDirectory { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Disposed after the test, after everything owned later.</summary>
    protected T Own<T>(T resource) where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            await _owned[i].DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
