using System.CommandLine;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns promote --api URL --key KEY</c>: a running secondary (<c>--primary</c>) stops following
/// and becomes a primary: its store is authoritative, serials continue from the primary's, the
/// pools its catalog published are kept. Start it without <c>--primary</c> from then on.
/// </summary>
internal static class PromoteVerb
{
    public static Command Create()
    {
        var connection = new ApiConnection();
        var command = new Command("promote", "Make a running secondary (--primary) a primary: its store becomes authoritative, serials continue.");
        connection.AddTo(command);
        command.SetAction(async (result, cancel) =>
        {
            using var http = connection.Client(result, out int failure);
            if (http is null)
                return failure;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/secondary/promote");
            var (view, refused) = await ApiConnection.SendAsync(result, http, request, "promote", cancel).ConfigureAwait(false);
            if (view is null)
                return refused;
            var pools = view["poolsKept"]?.AsArray().Select(p => (string?)p).ToList() ?? [];
            result.InvocationConfiguration.Output.WriteLine(
                $"promoted: {(int?)view["zones"]} zones served as primary; pools kept: {(pools.Count == 0 ? "none" : string.Join(", ", pools))}. Start this node without --primary from now on.");
            return 0;
        });
        return command;
    }
}
