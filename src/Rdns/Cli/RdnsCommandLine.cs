using System.CommandLine;

namespace Rdns.Cli;

/// <summary>The verbs of the <c>rdns</c> executable.</summary>
public static class RdnsCommandLine
{
    /// <summary>Exit code for bad input: the one-line explanation is on stderr.</summary>
    public const int UsageError = 2;

    public static int Run(string[] args)
    {
        var root = new RootCommand("Rdns: reverse DNS for operators and tenants.");
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"rdns: {result.Errors[0].Message}");
            return UsageError;
        }
        return result.Invoke();
    }
}
