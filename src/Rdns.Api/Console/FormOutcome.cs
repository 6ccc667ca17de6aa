using Microsoft.AspNetCore.Http;
using Rdns.Zones.Writes;

namespace Rdns.Api.Console;

/// <summary>
/// What a console form did: <see cref="Done"/> on success, or the refusal in the API's own words
/// (<see cref="Error"/>, with the status the API would answer and its details).
/// </summary>
public sealed record FormOutcome(string? Error, string? Done, int Status, IReadOnlyDictionary<string, object?>? Details = null)
{
    public static readonly FormOutcome None = new(null, null, StatusCodes.Status200OK);

    /// <summary>Runs a form's action through the services the API uses, turning their refusals into the page's message.</summary>
    public static async Task<FormOutcome> RunAsync(Func<Task<string>> action)
    {
        try
        {
            return new FormOutcome(null, await action().ConfigureAwait(false), StatusCodes.Status200OK);
        }
        catch (WriteException e)
        {
            int status = e.Kind switch
            {
                WriteError.Invalid => StatusCodes.Status400BadRequest,
                WriteError.NotFound => StatusCodes.Status404NotFound,
                WriteError.Conflict => StatusCodes.Status409Conflict,
                WriteError.Unavailable => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status422UnprocessableEntity,
            };
            return new FormOutcome(e.Message, null, status, e.Details);
        }
        catch (ApiException e)
        {
            return new FormOutcome(e.Message, null, StatusCodes.Status400BadRequest);
        }
    }
}
