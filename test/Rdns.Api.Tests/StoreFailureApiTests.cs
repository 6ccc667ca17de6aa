using System.Net;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rdns.Protocol.Wire;
using Rdns.Storage;

namespace Rdns.Api.Tests;

/// <summary>
/// When the store's disk is full (or its disk or server fails), a change is answered with what
/// happened and what to do — 507 <c>store_full</c> or 503 <c>store_unavailable</c> — not
/// <c>internal_error</c>, and DNS keeps answering what it answered. The store here fails its
/// commits on demand with the exceptions SQLite and PostgreSQL raise (StoreFailureTests in the
/// storage tests produces SQLite's for real).
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
        await _api.Send(HttpMethod.Post, "/v1/zones", ApiHost.Json(new { prefix = "192.0.2.0/24" }), HttpStatusCode.Created);
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
        var problem = await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.7", ApiHost.Json(new { ptrdname = "mail.example.com" }), (HttpStatusCode)status);
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Contains("nothing was applied", (string?)problem["detail"]);
        Assert.Equal((int)Rcode.NXDomain, _api.Dns("7.2.0.192.in-addr.arpa.", RecordType.PTR).Rcode);

        _store.CommitFailure = null;
        await _api.Send(HttpMethod.Put, "/v1/ptr/192.0.2.7", ApiHost.Json(new { ptrdname = "mail.example.com" }), HttpStatusCode.OK);
    }

    /// <summary>The real store, except that commits fail with <see cref="CommitFailure"/> while it is set.</summary>
    public class FailingStore : DispatchProxy
    {
        private IRdnsStore _inner = null!;

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
