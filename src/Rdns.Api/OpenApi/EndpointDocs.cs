using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Rdns.Api.OpenApi;

/// <summary>
/// How an endpoint describes itself beyond its typed result: the JSON body it reads (bodies are
/// read by <see cref="ApiJson"/>, strictly, so the type is declared here) and the errors it
/// answers with, each status with its <c>code</c>s.
/// </summary>
public static class EndpointDocs
{
    /// <summary>The endpoint reads a JSON <typeparamref name="T"/>: a 400 and a 415 are possible too.</summary>
    public static RouteHandlerBuilder JsonBody<T>(this RouteHandlerBuilder builder, bool optional = false) where T : notnull
    {
        builder.WithMetadata(new RequestBodyMetadata(typeof(T), "application/json", optional));
        builder.Problems(StatusCodes.Status400BadRequest, "invalid_json", "validation_failed");
        builder.Problems(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type");
        return builder;
    }

    /// <summary>The endpoint reads a text body (a zone file, say) of <paramref name="contentType"/>.</summary>
    public static RouteHandlerBuilder TextBody(this RouteHandlerBuilder builder, string contentType)
    {
        builder.WithMetadata(new RequestBodyMetadata(typeof(string), contentType, false));
        return builder;
    }

    /// <summary>The endpoint may answer <paramref name="status"/> with these codes.</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, int status, params string[] codes) where TBuilder : IEndpointConventionBuilder
    {
        builder.ProducesProblem(status);
        builder.WithMetadata(new ProblemCodesMetadata(status, codes));
        return builder;
    }
}
