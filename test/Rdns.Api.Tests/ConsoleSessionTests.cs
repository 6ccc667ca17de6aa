using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Rdns.Api.Tests;

/// <summary>
/// The console's session ends after <see cref="Console.ConsoleAuth.IdleExpiry"/> unused, and each
/// use within it moves the end on (sliding expiry); the server's clock is a fake one, so no test waits.
/// </summary>
public sealed class ConsoleSessionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ApiHost _api = null!;

    public async Task InitializeAsync() =>
        _api = await ApiHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_session_unused_for_longer_than_the_idle_expiry_ends_and_one_in_use_goes_on()
    {
        using var browser = await ConsoleHttp.SignInAsync(_api, _api.AdminKey);

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
