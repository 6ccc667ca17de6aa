namespace Rdns.Fuzz;

/// <summary>Runs inputs through a target without AFL: to check seeds and to reproduce findings.</summary>
internal static class Replay
{
    public static int Run(IFuzzTarget target, IEnumerable<string> paths)
    {
        int failed = 0, total = 0;
        foreach (var path in paths)
        {
            var files = Directory.Exists(path) ? Directory.GetFiles(path).Order(StringComparer.Ordinal) : (IEnumerable<string>)[path];
            foreach (var file in files)
            {
                total++;
                try
                {
                    target.Run(File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine($"{file}: {e}");
                }
            }
        }
        Console.WriteLine($"{total} inputs, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
