namespace Rdns.Api.OpenApi;

/// <summary>The Problem Details <c>code</c>s an endpoint may answer with one status; the OpenAPI document lists them.</summary>
public sealed record ProblemCodesMetadata(int Status, IReadOnlyList<string> Codes);
