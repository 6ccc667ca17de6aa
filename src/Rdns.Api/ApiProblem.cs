using Microsoft.AspNetCore.Http;

namespace Rdns.Api;

/// <summary>
/// Errors as RFC 9457 Problem Details, each with a machine-readable <c>code</c> (the catalog is in
/// docs/API.md) and, for input errors, the field and the rule it broke.
/// </summary>
public static class ApiProblem
{
    public static IResult Create(int status, string code, string title, string? detail = null, string? field = null, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?> { ["code"] = code };
        if (field is not null)
            ext["field"] = field;
        if (extensions is not null)
        {
            foreach (var (k, v) in extensions)
                ext[k] = v;
        }
        return Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://rdns.invalid/problems/{code}", extensions: ext);
    }

    public static IResult Invalid(string field, string rule) =>
        Create(StatusCodes.Status400BadRequest, "validation_failed", "The request is not valid", $"{field}: {rule}", field);

    public static IResult Unprocessable(string code, string title, string detail, string? field = null, IDictionary<string, object?>? extensions = null) =>
        Create(StatusCodes.Status422UnprocessableEntity, code, title, detail, field, extensions);

    public static IResult NotFound(string code, string detail) =>
        Create(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static IResult Conflict(string code, string detail) =>
        Create(StatusCodes.Status409Conflict, code, "Conflict", detail);
}

/// <summary>An input error found deep in request handling; becomes a Problem Details response.</summary>
public sealed class ApiException : Exception
{
    private readonly int _status;
    private readonly string _code;
    private readonly string _title;
    private readonly string? _field;
    private readonly IDictionary<string, object?>? _extensions;

    public ApiException(int status, string code, string title, string detail, string? field = null, IDictionary<string, object?>? extensions = null)
        : base(detail)
    {
        _status = status;
        _code = code;
        _title = title;
        _field = field;
        _extensions = extensions;
    }

    public IResult ToResult() => ApiProblem.Create(_status, _code, _title, Message, _field, _extensions);

    public static ApiException Invalid(string field, string rule) =>
        new(StatusCodes.Status400BadRequest, "validation_failed", "The request is not valid", $"{field}: {rule}", field);

    public static ApiException NotFound(string code, string detail) =>
        new(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static ApiException Conflict(string code, string detail, string? field = null) =>
        new(StatusCodes.Status409Conflict, code, "Conflict", detail, field);

    public static ApiException Unprocessable(string code, string title, string detail, string? field = null, IDictionary<string, object?>? extensions = null) =>
        new(StatusCodes.Status422UnprocessableEntity, code, title, detail, field, extensions);
}

/// <summary>Route and body values every endpoint reads the same way.</summary>
public static class ApiInput
{
    /// <summary>An address in strict form; a 400 naming <paramref name="field"/> and the rule otherwise.</summary>
    public static Addressing.IpAddress ParseIp(string text, string field = "ip")
    {
        if (!Addressing.IpAddress.TryParse(text, out var ip, out var error))
            throw ApiException.Invalid(field, error!);
        return ip;
    }
}
