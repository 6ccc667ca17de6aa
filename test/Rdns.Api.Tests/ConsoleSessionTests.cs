using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Rdns.Api.Tests;

/// <summary>
/// The console's session ends after <see cref="Console.ConsoleAuth.IdleExpiry"/> unused, and each
/// use within it moves the end on (sliding expiry); the server's clock is a fake one, so no test waits.
/// </summary>
public sealed partial class ConsoleSessionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ApiHost _api = null!;

    public async Task InitializeAsync() =>
        _api = await ApiHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex Token();

    [Fact]
    public async Task A_session_unused_for_longer_than_the_idle_expiry_ends_and_one_in_use_goes_on()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = _api.Http.BaseAddress };
        var form = await browser.GetStringAsync("/");
        var input = Token().Match(form).Value;
        var token = Regex.Match(input, "value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        using var signIn = await browser.PostAsync("/console/sign-in", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["key"] = _api.AdminKey, ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        async Task<HttpStatusCode> AuditAsync()
        {
            using var response = await browser.GetAsync("/console/audit");
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await AuditAsync());
        // Used again 20 minutes later: the session moves on to 30 minutes from then.
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(HttpStatusCode.OK, await AuditAsync());
        _time.Advance(TimeSpan.FromMinutes(25));
        Assert.Equal(HttpStatusCode.OK, await AuditAsync());
        // Then 31 minutes unused: over.
        _time.Advance(Console.ConsoleAuth.IdleExpiry + TimeSpan.FromMinutes(1));
        using var expired = await browser.GetAsync("/console/audit");
        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.StartsWith("/?ReturnUrl=", expired.Headers.Location!.OriginalString.Replace(_api.Http.BaseAddress!.ToString().TrimEnd('/'), "", StringComparison.Ordinal));
    }
}
