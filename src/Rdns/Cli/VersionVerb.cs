using System.CommandLine;
using Rdns.Hosting;

namespace Rdns.Cli;

/// <summary><c>rdns version</c>: the product version and the commit it was built from.</summary>
public static class VersionVerb
{
    public static Command Create()
    {
        var command = new Command("version", "Print the version of rdns and the commit it was built from");
        command.SetAction(result =>
        {
            var full = typeof(VersionVerb).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? ProductVersion.Text;
            var commit = full.Contains('+') ? full[(full.IndexOf('+') + 1)..] : null;
            result.InvocationConfiguration.Output.WriteLine(commit is null
                ? $"rdns {ProductVersion.Text} (.NET {Environment.Version})"
                : $"rdns {ProductVersion.Text} (commit {commit[..Math.Min(12, commit.Length)]}, .NET {Environment.Version})");
            return 0;
        });
        return command;
    }
}
