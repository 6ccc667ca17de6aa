namespace Rdns.Interop.Tests.Support;

/// <summary>The repository checkout the tests run from: the folder holding <c>Rdns.slnx</c>.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Rdns.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Rdns.slnx above {AppContext.BaseDirectory}");
    }
}
