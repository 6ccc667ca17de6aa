using System.CommandLine;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns completion bash|zsh</c>: a completion script for the shell. It asks rdns itself what
/// fits at the cursor (the <c>[suggest]</c> directive of System.CommandLine), so verbs and options
/// added later complete without a new script.
/// </summary>
public static class CompletionVerb
{
    private const string Bash = """
        # rdns completion for bash: eval "$(rdns completion bash)" in ~/.bashrc
        _rdns_complete() {
          local IFS=$'\n'
          COMPREPLY=( $("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) )
        }
        complete -o default -F _rdns_complete rdns
        """;

    private const string Zsh = """
        # rdns completion for zsh: eval "$(rdns completion zsh)" in ~/.zshrc
        autoload -U +X bashcompinit && bashcompinit
        _rdns_complete() {
          local IFS=$'\n'
          COMPREPLY=( $("${COMP_WORDS[1]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) )
        }
        complete -o default -F _rdns_complete rdns
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print a shell completion script (eval \"$(rdns completion bash)\")") { shell };
        command.SetAction(result =>
        {
            result.InvocationConfiguration.Output.WriteLine(result.GetValue(shell) == "zsh" ? Zsh : Bash);
            return 0;
        });
        return command;
    }
}
