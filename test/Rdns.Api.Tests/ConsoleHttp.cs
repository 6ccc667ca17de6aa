using System.Net;
using System.Text.RegularExpressions;

namespace Rdns.Api.Tests;

/// <summary>A console session without a browser: the sign-in form's antiforgery token, the key, and the session cookie kept.</summary>
public static partial class ConsoleHttp
{
    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex TokenInput();

    [GeneratedRegex("value=\"([^\"]+)\"")]
    private static partial Regex Value();

    /// <summary>A client signed in with <paramref name="key"/>; it does not follow redirects, so a test sees them.</summary>
    public static async Task<HttpClient> SignInAsync(ApiHost api, string key)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = api.Http.BaseAddress };
        var form = await client.GetStringAsync("/");
        var token = Value().Match(TokenInput().Match(form).Value).Groups[1].Value;
        Assert.NotEmpty(token);
        using var signIn = await client.PostAsync("/console/sign-in", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["key"] = key, ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return client;
    }
}
