using System.Net;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rdns.Storage;

namespace Rdns.Api.Tests;

/// <summary>
/// A store call outside the zone write path (keys, tenants) that fails for the store's sake is
/// answered as the write path answers it: 507 <c>store_full</c> for a full disk, 503
/// <c>store_unavailable</c> for an I/O error or a lost database, never <c>internal_error</c>. The
/// store here fails on demand with the exceptions SQLite and PostgreSQL raise; the write path's own
/// full disk is produced for real in DiskFullTests (interop), SQLite's error in StoreFailureTests.
/// </summary>
public sealed class StoreFailureApiTests : IAsyncLifetime
{
    private FailingStore _store = null!;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHost.StartAsync(services: s =>
        {
            var original = (IRdnsStore)s.Last(d => d.ServiceType == typeof(IRdnsStore)).ImplementationInstance!;
            _store = FailingStore.Around(original);
            s.AddSingleton<IRdnsStore>((IRdnsStore)(object)_store);
        });
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public static TheoryData<string, int, string> Failures => new()
    {
        { "sqlite-full", 507, "store_full" },
        { "postgres-disk-full", 507, "store_full" },
        { "sqlite-io", 503, "store_unavailable" },
        { "postgres-connection", 503, "store_unavailable" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failing_store_is_named_as_the_cause_and_nothing_changes(string failure, int status, string code)
    {
        _store.CommitFailure = failure switch
        {
            "sqlite-full" => new SqliteException("SQLite Error 13: 'database or disk is full'.", 13),
            "postgres-disk-full" => new PostgresException("could not extend file: No space left on device", "ERROR", "ERROR", PostgresErrorCodes.DiskFull),
            "sqlite-io" => new SqliteException("SQLite Error 10: 'disk I/O error'.", 10),
            _ => new NpgsqlException("Exception while reading from stream"),
        };
        int audited = (await _store.Inner.GetAuditAsync(1000)).Count;
        var problem = await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Acme" }), (HttpStatusCode)status);
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Contains("nothing was applied", (string?)problem["detail"]);
        Assert.Equal(audited, (await _store.Inner.GetAuditAsync(1000)).Count);

        _store.CommitFailure = null;
        await _api.Send(HttpMethod.Post, "/v1/tenants", ApiHost.Json(new { name = "Acme" }), HttpStatusCode.Created);
    }

    /// <summary>The real store, except that its direct commits fail with <see cref="CommitFailure"/> while it is set.</summary>
    public class FailingStore : DispatchProxy
    {
        private IRdnsStore _inner = null!;

        public IRdnsStore Inner => _inner;

        public Exception? CommitFailure { get; set; }

        public static FailingStore Around(IRdnsStore inner)
        {
            var proxy = (FailingStore)(object)Create<IRdnsStore, FailingStore>();
            proxy._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (CommitFailure is { } failure && targetMethod!.Name == nameof(IRdnsStore.CommitAsync))
                return Task.FromException(failure);
            try
            {
                return targetMethod!.Invoke(_inner, args);
            }
            catch (TargetInvocationException e)
            {
                throw e.InnerException!;
            }
        }
    }
}
