using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>The README's "CLI tour" shows real output; this keeps it real.</summary>
public class ReadmeTourTests
{
    public static TheoryData<string, string> Examples()
    {
        string readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md")).Replace("\r\n", "\n");
        int start = readme.IndexOf("\n## CLI tour\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## CLI tour' section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string tour = end < 0 ? readme[start..] : readme[start..end];

        var examples = new TheoryData<string, string>();
        string? command = null;
        var output = new List<string>();
        bool inBlock = false;
        foreach (string line in tour.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (inBlock && command is not null)
                    examples.Add(command, string.Join('\n', output));
                inBlock = line == "```console";
                command = null;
                continue;
            }
            if (!inBlock)
                continue;
            if (line.StartsWith("$ ./rdns ", StringComparison.Ordinal))
            {
                if (command is not null)
                    examples.Add(command, string.Join('\n', output));
                command = line["$ ./rdns ".Length..];
                output.Clear();
            }
            else
            {
                output.Add(line);
            }
        }
        return examples;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Each_example_prints_what_the_README_shows(string command, string shown)
    {
        var result = await RdnsProcess.RunAsync(command.Split(' '));

        // Each example writes to one stream only: stdout on success, one line of stderr on error.
        Assert.Equal(shown, (result.Stdout + result.Stderr).TrimEnd('\n'));
        Assert.Equal(shown.StartsWith("rdns: ", StringComparison.Ordinal) ? 2 : 0, result.ExitCode);
    }

    [Fact]
    public void The_tour_has_examples_of_every_verb()
    {
        var commands = Examples().Select(row => (string)row[0]).ToList();
        Assert.All(new[] { "name", "address", "zones", "delegate" },
            verb => Assert.Contains(commands, c => c.StartsWith(verb + " ", StringComparison.Ordinal)));
    }
}
