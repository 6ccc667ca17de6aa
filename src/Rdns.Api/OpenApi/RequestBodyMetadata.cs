namespace Rdns.Api.OpenApi;

/// <summary>
/// The body an endpoint reads itself (through <see cref="ApiJson"/>), for the OpenAPI document
/// only. Not <c>Accepts</c>: that also makes routing match on Content-Type, which would answer a
/// body without one with the framework's empty 415 instead of the API's Problem Details.
/// </summary>
public sealed record RequestBodyMetadata(Type Type, string ContentType, bool Optional);
