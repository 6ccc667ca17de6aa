using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Rdns.Api.OpenApi;

/// <summary>
/// Completes the OpenAPI document with what every endpoint shares, so no endpoint can forget it:
/// the bearer scheme, the errors of authentication, authorization, rate limiting, parameter binding
/// and the store (each with its codes), and the <c>code</c> and <c>field</c> members of Problem
/// Details.
/// </summary>
public static class ApiDocumentTransformers
{
    public const string SchemeName = "bearer";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Rdns API",
                Version = "v1",
                Description = "Reverse DNS for operators and tenants. Errors are RFC 9457 Problem Details with a machine-readable code (docs/API.md).",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An operator key (DATA/admin.key, POST /v1/keys) or a tenant key (POST /v1/tenants/{id}/keys): 'Authorization: Bearer KEY'.",
            };
            foreach (var path in document.Paths.Values)
            {
                foreach (var operation in path.Operations is null ? [] : path.Operations.Values.ToList())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
                }
            }
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(DescribeProblemsAsync);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(ProblemDetails) || context.JsonTypeInfo.Type == typeof(HttpValidationProblemDetails))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Machine-readable error code (catalog in docs/API.md)." };
                schema.Properties["field"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The input (body member, parameter) that broke a rule." };
            }
            return Task.CompletedTask;
        });
    }

    private static async Task DescribeProblemsAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<RequestBodyMetadata>().FirstOrDefault() is { } body)
        {
            IOpenApiSchema bodySchema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken).ConfigureAwait(false);
            if (body.Type != typeof(string) && context.Document is { } document)
            {
                // A named component, as for response types, so generated clients get a type of that name.
                document.AddComponent(body.Type.Name, bodySchema);
                bodySchema = new OpenApiSchemaReference(body.Type.Name, document);
            }
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = !body.Optional,
                Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new OpenApiMediaType { Schema = bodySchema } },
            };
        }
        var codes = new SortedDictionary<int, SortedSet<string>>();
        void Add(int status, params string[] names)
        {
            if (!codes.TryGetValue(status, out var set))
                codes[status] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.UnionWith(names);
        }
        foreach (var m in metadata.OfType<ProblemCodesMetadata>())
            Add(m.Status, [.. m.Codes]);

        // Every described endpoint needs a key; most need a kind of key.
        Add(StatusCodes.Status401Unauthorized, "unauthorized");
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Contains(Auth.ApiPolicies.Operator) || policies.Contains(Auth.ApiPolicies.Tenant))
            Add(StatusCodes.Status403Forbidden, "forbidden");
        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
            Add(StatusCodes.Status429TooManyRequests, "rate_limited");
        if (context.Description.ParameterDescriptions.Any(p => p.Source.Id is "Query" or "Path"))
            Add(StatusCodes.Status400BadRequest, "invalid_parameter", "unknown_parameter", "validation_failed");
        if (!string.Equals(context.Description.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase))
        {
            Add(StatusCodes.Status503ServiceUnavailable, "store_unavailable");
            Add(StatusCodes.Status507InsufficientStorage, "store_full");
        }

        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, names) in codes)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.TryGetValue(key, out var response) || response is not OpenApiResponse concrete)
            {
                var schema = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken).ConfigureAwait(false);
                concrete = new OpenApiResponse
                {
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
                };
                operation.Responses[key] = concrete;
            }
            concrete.Description = $"Problem Details; code: {string.Join(", ", names)}";
        }
    }
}
