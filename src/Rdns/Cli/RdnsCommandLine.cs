using System.CommandLine;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>The verbs of the <c>rdns</c> executable.</summary>
public static class RdnsCommandLine
{
    /// <summary>Exit code for bad input: the one-line explanation is on stderr.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a failure that is not the user's input.</summary>
    public const int InternalError = 1;

    /// <summary>Every verb, in the order help lists them. A new verb adds its <c>Create</c> here.</summary>
    private static readonly Func<Command>[] Verbs =
    [
        NameVerb.Create,
        AddressVerb.Create,
        ZonesVerb.Create,
        DelegateVerb.Create,
        ServeVerb.Create,
        TsigKeygenVerb.Create,
        PtrVerb.Create,
        ViewVerb.Create,
        ZoneVerb.Create,
        PoolVerb.Create,
        TenantVerb.Create,
        KeyVerb.Create,
        AuditVerb.Create,
        AdminKeyVerb.Create,
        DnssecVerb.Create,
        SecondaryConfigVerb.Create,
        CompareVerb.Create,
        PromoteVerb.Create,
        VersionVerb.Create,
        CompletionVerb.Create,
    ];

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = new RootCommand("Rdns: reverse DNS for operators and tenants.");
        foreach (var create in Verbs)
            root.Subcommands.Add(create());

        // "@file" would otherwise be read as a response file: an argument is only ever an argument.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0)
        {
            // One error only: a user fixes one thing at a time, and scripts get one line. A
            // stray token explains more than the "command not provided" it also causes.
            error.WriteLine(result.UnmatchedTokens.Count > 0
                ? $"rdns: {Usage.Shown(result.UnmatchedTokens[0])}: unknown command or option; 'rdns --help' lists them"
                : $"rdns: {WithShortTokens(result.Errors[0].Message, args)}");
            return UsageError;
        }
        try
        {
            return result.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            var cause = Cause(e);
            error.WriteLine(cause is DllNotFoundException
                ? $"rdns: a native library could not be loaded: {Excerpt.Of(OneLine(cause.Message), 300)} " +
                  $"(rdns needs the libraries published beside it in {AppContext.BaseDirectory}; copy the whole directory, not the executable alone)"
                : $"rdns: internal error: {Excerpt.Of(OneLine(cause.Message), 300)}");
            return InternalError;
        }
    }

    // "A type initializer threw an exception" says nothing; what threw inside it does.
    internal static Exception Cause(Exception e)
    {
        while (e.InnerException is { } inner
            && (e is TypeInitializationException or System.Reflection.TargetInvocationException
                || (e is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)))
            e = inner;
        return e;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));

    // Parse errors quote the offending token verbatim (a 3 kB token must not become a 3 kB
    // line) and some list choices on lines of their own (one line is the contract).
    private static string WithShortTokens(string message, string[] args)
    {
        foreach (string arg in args.Where(a => a.Length > Excerpt.DefaultLength).OrderByDescending(a => a.Length))
            message = message.Replace(arg, Excerpt.Of(arg), StringComparison.Ordinal);
        return Excerpt.Of(OneLine(message), 400);
    }
}
