using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rdns.Api;
using Rdns.Control.Tenants;
using Rdns.Control.Zones;
using Rdns.Server;
using Rdns.Server.Pipeline;
using Rdns.Storage;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Hosting;

/// <summary>
/// Composes <c>rdns serve</c>: the store, the zones loaded from it, the DNS listeners, the HTTP
/// API and the follower that applies other nodes' commits, in one host stopped by SIGTERM.
/// </summary>
public static partial class ServeHost
{
    /// <summary>How often every zone's serial is compared with the store, to repair missed notifications.</summary>
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(ServeSettings settings, TextWriter output, CancellationToken cancellationToken = default)
    {
        await using var host = await StartAsync(settings, output, cancellationToken).ConfigureAwait(false);
        await host.App.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Starts everything and returns once DNS and HTTP are listening (ports 0 pick free ones).</summary>
    public static Task<RunningHost> StartAsync(ServeSettings settings, TextWriter output, CancellationToken cancellationToken = default) =>
        StartAsync(settings, output, null, cancellationToken);

    /// <summary>
    /// As above; <paramref name="configureServices"/> runs after the host's own registrations, so an
    /// embedding host (a test, say) can replace a service such as the forward resolver.
    /// </summary>
    public static async Task<RunningHost> StartAsync(ServeSettings settings, TextWriter output, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        var data = DataDirectory.Open(settings.Data);
        try
        {
            foreach (var endpoint in settings.DnsEndpoints())
                DnsServer.EnsureAddressFree(endpoint);
            return await StartAsync(settings, data, output, configureServices, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The server's settings come from its own options and config file, never from an
    /// <c>appsettings.json</c> in whatever directory it was started from: the content root is the
    /// binary's directory and configuration files are not watched. Watching them would put an
    /// inotify watch on every directory under the working directory — under systemd that is
    /// <c>/</c>: tens of thousands of watches and seconds of start-up.
    /// </summary>
    internal static WebApplicationOptions HostOptionsFor() => new()
    {
        ContentRootPath = AppContext.BaseDirectory,
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
    };

    private static async Task<RunningHost> StartAsync(ServeSettings settings, DataDirectory data, TextWriter output, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var storeOptions = new StoreOptions { Connection = settings.Store };
        if (StoreFactory.SqlitePath(storeOptions, data.FullPath) is { } databasePath)
            data.CheckSqliteFile(databasePath, settings.Init, output);

        var builder = WebApplication.CreateSlimBuilder(HostOptionsFor());
        LogSetup.Configure(builder.Logging, settings);
        Systemd.Configure(builder.Services);
        builder.WebHost.ConfigureKestrel(k => k.Listen(settings.HttpEndpoint()));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var store = StoreFactory.Open(storeOptions, data.FullPath);
        Task<ZoneLoader.Loaded>? loading = null;
        try
        {
            var storeDescription = StoreFactory.Describe(storeOptions, data.FullPath);
            try
            {
                await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (System.Data.Common.DbException e)
            {
                throw new StartupException($"store {storeDescription}: {e.Message}", e);
            }
            await data.AdoptStoreAsync(store, storeDescription, settings.Init, output, cancellationToken).ConfigureAwait(false);

            var zones = new ServedZones();
            // The public view refuses private reverse space it does not host (RFC 6303 zones are
            // served only in views of private networks), so a hosted ancestor never leaks it.
            zones.Replace(ZoneSet.Empty.WithLocalZones(LocallyServedZones.Private, serve: false));
            // The zones are read and built on worker threads while the rest of the server is put
            // together (most of that is one thread loading and compiling code); they are served
            // once both are done.
            // The data directory's zone image gives every zone it holds at the store's revision
            // without reading its rows (it names the store it was made for: a directory adopts one store).
            var image = data.ReadStoreId() is { } storeId ? ZoneImageFile.In(data.FullPath, storeId) : null;
            // Read before the zones: what is committed while they load moves the stamp past it.
            var stampAtLoad = await store.GetZonesStampAsync(cancellationToken).ConfigureAwait(false);
            loading = ZoneLoader.ReadAsync(store, image, null, cancellationToken);
            var dnsEndpoints = settings.DnsEndpoints();
            var serverOptions = new ServerOptions
            {
                Endpoint = settings.DnsEndpoint(),
                Nsid = settings.Nsid,
                Version = settings.Chaos.Version,
                Identity = settings.Chaos.Identity ?? settings.Nsid,
                UdpWorkers = settings.UdpWorkers ?? ServerOptions.DefaultUdpWorkers,
            };
            var defaults = new ZoneDefaults { NameServers = settings.NameServers ?? [], Contact = settings.Contact };
            if (defaults.Warning() is { } nsWarning)
                output.WriteLine($"rdns: warning: {nsWarning}");
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton<IKeyStore>(store);
            builder.Services.AddSingleton(zones);
            builder.Services.AddSingleton(defaults);
            builder.Services.AddSingleton<ZoneWriter>();
            builder.Services.AddSingleton<IZoneWriter>(sp => sp.GetRequiredService<ZoneWriter>());
            builder.Services.AddSingleton<ZoneLoader>();
            builder.Services.AddSingleton<Control.Zones.ZoneFollower>();
            builder.Services.AddSingleton<ZoneService>();
            builder.Services.AddSingleton(serverOptions);
            builder.Services.AddSingleton(sp => Transfers.Create(settings, zones, store, sp.GetRequiredService<ILoggerFactory>(),
                settings.IsSecondary ? new SecondaryMode.NotifyRoute(sp.GetRequiredService<Control.Secondary.SecondaryFollower>) : null));
            if (settings.IsSecondary)
            {
                SecondaryMode.RefuseIfPromoted(data.FullPath);
                SecondaryMode.Register(builder.Services, settings, data.FullPath);
            }
            builder.Services.AddSingleton<Api.Console.INotifiedSecondaries>(sp => new NotifiedSecondaries(sp.GetRequiredService<Transfers>()));
            builder.Services.AddSingleton(sp => new CatalogZone(sp.GetRequiredService<ZoneService>(),
                Protocol.Names.DnsName.Parse(settings.Catalog.EndsWith('.') ? settings.Catalog : settings.Catalog + "."), sp.GetRequiredService<ILogger<CatalogZone>>()));
            // Workers of several listening addresses are numbered apart (UdpListener), so per-worker state is sized for all of them.
            int udpWorkers = serverOptions.UdpWorkers * dnsEndpoints.Count;
            builder.Services.AddSingleton(new QueryCounters(udpWorkers,
                (settings.Metrics.Zones ?? []).Select(z => Protocol.Names.DnsName.Parse(z.EndsWith('.') ? z : z + "."))));
            if (settings.Metrics.Enabled)
            {
                builder.Services.AddSingleton(sp => new Metrics.DnsMeter(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<QueryCounters>()));
                Metrics.OtlpExport.Configure(builder.Services, settings.Metrics);
            }
            if (settings.Dnstap.Enabled)
                builder.Services.AddSingleton(new Server.Dnstap.DnstapStage(settings.Dnstap, udpWorkers, $"Rdns {ProductVersion.Text}"));
            builder.Services.AddSingleton<Control.Views.ViewRegistry>();
            builder.Services.AddSingleton<Control.Views.ViewService>();
            builder.Services.AddSingleton<Control.Views.TenantViewService>();
            builder.Services.AddSingleton(new Server.Views.ViewSelector());
            builder.Services.AddSingleton(new Server.Stages.CookieSecrets());
            builder.Services.AddSingleton(settings.Cookies);
            builder.Services.AddSingleton<CookieSecretKeeper>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<CookieSecretKeeper>());
            builder.Services.AddSingleton(sp => new Server.Stages.DnsCookies(sp.GetRequiredService<Server.Stages.CookieSecrets>()));
            builder.Services.AddSingleton(sp => new Server.Stages.ResponseRateLimiter(settings.Rrl, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Rdns.Rrl")));
            // The query pipeline: handlers of every opcode and the stages, in order, fixed here.
            // Cookies first (they prove a client real before rate limiting looks), then rate
            // limiting (always there: a reload may turn it on; at rate 0 it only returns), then
            // the observers of what was finally sent: counters (unless metrics are off) and dnstap.
            builder.Services.AddSingleton(sp =>
            {
                // Views first: every later stage and the handler work on the view's zones.
                var stages = new List<IQueryStage> { sp.GetRequiredService<Server.Views.ViewSelector>() };
                if (settings.Cookies.Enabled)
                    stages.Add(sp.GetRequiredService<Server.Stages.DnsCookies>());
                // Always in place, so a reload can turn rate limiting on; at rate 0 it passes every response.
                stages.Add(sp.GetRequiredService<Server.Stages.ResponseRateLimiter>());
                if (settings.Metrics.Enabled)
                    stages.Add(sp.GetRequiredService<QueryCounters>());
                if (sp.GetService<Server.Dnstap.DnstapStage>() is { } dnstap)
                    stages.Add(dnstap);
                var handlers = sp.GetRequiredService<Transfers>().Handlers with { Update = sp.GetRequiredService<Server.Update.UpdateHandler>() };
                return new DnsPipeline(zones, serverOptions, handlers, stages);
            });
            builder.Services.AddSingleton(sp => new DnsService(sp.GetRequiredService<DnsPipeline>(), zones, sp.GetRequiredService<ILoggerFactory>(), dnsEndpoints));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DnsService>());
            builder.Services.AddHostedService<ZoneFollowing>();
            builder.Services.AddSingleton(settings.Tenants);
            builder.Services.AddSingleton(new Resolver.StubResolver(settings.ResolverOptions()));
            builder.Services.AddSingleton<IForwardResolver, StubForwardResolver>();
            builder.Services.AddSingleton<PoolService>();
            builder.Services.AddSingleton<TenantService>();
            builder.Services.AddSingleton<TenantReverseService>();
            builder.Services.AddHostedService<DriftChecker>();
            builder.Services.AddHostedService(sp => new MemoryTrimmer(TimeProvider.System, sp.GetRequiredService<ILogger<MemoryTrimmer>>(), store));
            // DNS UPDATE: keys of the file and the store, their policies, refusals in the audit log.
            builder.Services.AddSingleton(settings.Update);
            builder.Services.AddSingleton(Control.Updates.TsigSecretSeal.ForDataDirectory(data.FullPath));
            builder.Services.AddSingleton(sp => new Control.Updates.UpdateKeys(store, sp.GetRequiredService<Control.Updates.TsigSecretSeal>(),
                sp.GetRequiredService<Transfers>().Keys, settings.Update, TimeProvider.System, sp.GetRequiredService<ILogger<Control.Updates.UpdateKeys>>()));
            builder.Services.AddSingleton(sp => new Control.Updates.UpdateAuthorizer(sp.GetRequiredService<Control.Updates.UpdateKeys>(), store,
                sp.GetRequiredService<TenantReverseService>(), settings.Update, sp.GetRequiredService<Control.Views.ViewRegistry>()));
            builder.Services.AddSingleton(sp => new Control.Updates.UpdateAuditLog(store, sp.GetRequiredService<ILogger<Control.Updates.UpdateAuditLog>>()));
            builder.Services.AddSingleton(sp => new Server.Update.UpdateHandler(sp.GetRequiredService<IZoneWriter>(), sp.GetRequiredService<Transfers>().Security,
                sp.GetRequiredService<Control.Updates.UpdateAuthorizer>(), sp.GetRequiredService<Control.Updates.UpdateAuditLog>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Rdns.Update"), sp.GetRequiredService<Control.Views.ViewRegistry>()));
            // DNSSEC: keys sealed under the data directory's (or the environment's) seal key, one
            // bounded signature cache for every signed zone, rollover steps checked in the background.
            settings.Dnssec.Validate();
            builder.Services.AddSingleton(settings.Dnssec);
            builder.Services.AddSingleton(Control.Dnssec.KeySeal.ForDataDirectory(data.FullPath));
            builder.Services.AddSingleton(new Zones.Dnssec.SignatureCache(settings.Dnssec.SignatureCacheMegabytes * 1024L * 1024));
            builder.Services.AddSingleton<Control.Dnssec.DnssecKeyring>();
            builder.Services.AddSingleton<Control.Dnssec.DnssecService>();
            builder.Services.AddHostedService<DnssecKeeper>();
            builder.Services.AddSingleton(new Api.Zones.ZoneImportOptions { MaxRecords = settings.Import.ApiRecords });
            builder.Services.AddRdnsApi();
            configureServices?.Invoke(builder.Services);

            var app = builder.Build();
            // RDNS_TRACE_STARTUP=1 prints when each start-up phase ends, counted from process start.
            bool trace = Environment.GetEnvironmentVariable("RDNS_TRACE_STARTUP") == "1";
            var started = System.Diagnostics.Process.GetCurrentProcess().StartTime;
            void Trace(string phase)
            {
                if (trace)
                    output.WriteLine($"rdns: start-up: {phase} at {(DateTime.Now - started).TotalSeconds:F2} s");
            }
            Trace("host built");
            var startLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rdns.Startup");
            if (store.Kind == "sqlite" && StoreFactory.SqliteBulkBindingFallback() is { } slowBulk)
                LogSqliteBulkBindingFallback(startLog, slowBulk);
            var zoneService = app.Services.GetRequiredService<ZoneService>();
            var loaded = await loading.ConfigureAwait(false);
            app.Services.GetRequiredService<ZoneLoader>().Publish(loaded);
            // In step with the store as the load read it: the first resync compares every zone only if that moved.
            app.Services.GetRequiredService<Control.Zones.ZoneFollower>().InStepAt(stampAtLoad);
            // Every node of the store answers cookies with the same secret from its first query.
            if (settings.Cookies.Enabled)
                await app.Services.GetRequiredService<CookieSecretKeeper>().SyncAsync(cancellationToken).ConfigureAwait(false);
            var views = app.Services.GetRequiredService<Control.Views.ViewRegistry>();
            var selector = app.Services.GetRequiredService<Server.Views.ViewSelector>();
            views.Changed += list => selector.Use(ViewCompiler.Compile(list));
            await views.ReloadAsync(cancellationToken).ConfigureAwait(false);
            app.Services.GetRequiredService<Api.Health.Readiness>().ZonesLoaded();
            if (trace)
            {
                long compact = 0, compactCount = 0;
                // The zones held as snapshots; rows are counted from their table, not made into snapshots.
                foreach (var z in zones.Current.Snapshots)
                {
                    compact += z.CompactBytes;
                    compactCount += z.CompactCount;
                }
                Trace($"{zones.Current.Count} zones loaded ({zones.Current.RowCount} of them as rows, {zones.Current.RowPtrCount} address PTRs in {zones.Current.RowBytes / 1048576.0:F1} MiB; {compactCount} address PTRs of the others in {compact / 1048576.0:F1} MiB of compact tables, {ZoneSnapshot.SharedSuffixBytes / 1048576.0:F1} MiB of shared suffixes)");
            }
            var pools = app.Services.GetRequiredService<PoolService>();
            // A secondary's default names come from its primary's catalog, not from its own store.
            if (!settings.IsSecondary)
            {
                await pools.ReloadAsync(cancellationToken).ConfigureAwait(false);
                app.Services.GetRequiredService<Control.Zones.ZoneFollower>().PoolsChanged = pools.ReloadAsync;
            }
            var transfers = app.Services.GetRequiredService<Transfers>();
            // The secondaries named here transfer many zones at once, and several may share one network.
            serverOptions.ExemptFromClientShare = transfers.IsSecondaryAddress;
            transfers.Follow(zoneService);
            var loggers = app.Services.GetRequiredService<ILoggerFactory>();
            views.Changed += list => transfers.FollowViews(list, loggers);
            transfers.FollowViews(views.Views, loggers);
            var updateKeys = app.Services.GetRequiredService<Control.Updates.UpdateKeys>();
            updateKeys.RingChanged += transfers.Security.UseKeys;
            // A reload runs on its own thread, outside any request: waiting for the store here is fine.
            transfers.FileKeysChanged = ring => updateKeys.UseFileKeysAsync(ring).GetAwaiter().GetResult();
            await updateKeys.ReloadAsync(cancellationToken).ConfigureAwait(false);
            app.Services.GetRequiredService<Control.Zones.ZoneFollower>().TsigKeysChanged = updateKeys.ReloadAsync;
            var keyring = app.Services.GetRequiredService<Control.Dnssec.DnssecKeyring>();
            await keyring.LoadAllAsync(cancellationToken).ConfigureAwait(false);
            app.Services.GetRequiredService<Control.Zones.ZoneFollower>().DnssecKeysChanged =
                (zone, ct) => zone is null ? keyring.LoadAllAsync(ct) : keyring.ReloadAsync(zone, ct);
            if (settings.IsSecondary)
            {
                // Serves what its store holds at once; the primaries are asked in the background.
                app.Services.GetRequiredService<Control.Secondary.SecondaryFollower>().Start();
            }
            if (settings.Zones is not null)
            {
                // Nothing is served or answered before the listeners start below: the files'
                // commits skip the flush each would wait for, and are all made durable at once
                // when the last file is in. Their NOTIFYs wait for that too: a secondary told of
                // a serial is told the data is there for good.
                var bulk = await store.BeginBulkLoadAsync(cancellationToken).ConfigureAwait(false);
                int imported;
                await using (bulk.ConfigureAwait(false))
                {
                    transfers.HoldNotifies();
                    imported = await ImportZoneFilesAsync(zoneService, settings.Zones, settings.Import.ZoneFileRecords, cancellationToken).ConfigureAwait(false);
                    await bulk.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
                // The last new zones that can be rows become rows now, as a restart would make them.
                await zoneService.Served.MakeRowsNowAsync().ConfigureAwait(false);
                LogZoneFilesDurable(startLog, imported, settings.Zones);
                transfers.ReleaseNotifies();
            }
            if (!settings.IsSecondary)
            {
                // After the imports: the catalog lists every zone once, rather than being listed
                // again and again (each time over every zone) while thousands of zones arrive.
                var catalog = app.Services.GetRequiredService<CatalogZone>();
                await catalog.ReconcileAsync(cancellationToken).ConfigureAwait(false);
                catalog.Follow(app.Lifetime.ApplicationStopping);
                pools.Reloaded += catalog.PoolsChanged;
                await views.FollowCatalogsAsync(app.Lifetime.ApplicationStopping, cancellationToken).ConfigureAwait(false);
            }
            await AdminKey.EnsureAsync(store, data.FullPath, output, cancellationToken).ConfigureAwait(false);
            // Loading builds every zone from record objects that are garbage once the snapshots
            // exist; give that memory back to the system now rather than keep it for later growth.
            Trace("catalog, imports and key checked");
            await MemoryTrimmer.TrimAsync(store, cancellationToken).ConfigureAwait(false);
            Trace($"memory returned (managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F1} MiB, committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:F1} MiB)");

            var observability = Observability.Start(app, settings);
            app.MapRdnsApi();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // SIGTERM (or SIGINT) arrived while the listeners were still binding: a stop asked
                // for, not a failure. What was loaded and imported still goes into the zone image
                // (a run that imports and stops as soon as it answers is what makes the next start fast).
                app.Services.GetRequiredService<ZoneLoader>().KeepImage(loaded, changedSince: settings.Zones is not null);
                await RunningHost.FinishImageAsync(app.Services).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
                throw new StoppedBeforeServingException();
            }
            Trace("listening");
            // Zones built from rows, or imported just now, go into the zone image for the next
            // start: in the background, once the server answers.
            app.Services.GetRequiredService<ZoneLoader>().KeepImage(loaded, changedSince: settings.Zones is not null);
            var running = new RunningHost(app, store, data, observability);
            if (!settings.Quiet)
                output.WriteLine($"rdns: HTTP API listening on {running.HttpBase} (store: {store.Kind})");
            return running;
        }
        catch
        {
            // The store stays open until a reading still under way has stopped.
            if (loading is not null)
                await Task.WhenAny(loading).ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <c>--zones DIR</c>: every file replaces the zone of its name in the store. An unchanged file
    /// changes nothing (no new serial), so restarting with the same directory is harmless.
    /// </summary>
    /// <returns>The number of files imported.</returns>
    private static async Task<int> ImportZoneFilesAsync(ZoneService service, string directory, long maxRecords, CancellationToken cancellationToken)
    {
        // Files are read, parsed and built on worker threads, many at a time, and each goes to
        // the write path as soon as it is ready: imports in flight together share durable
        // transactions (group commit), so thousands of small zones cost a few hundred commits,
        // not one fsync each. The first failure stops the start once what is in flight is done.
        var files = ZoneDirectory.Files(directory);
        var window = new ImportWindow(ImportFiles, ImportOctets);
        var inFlight = new List<Task>();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        foreach (var (origin, path) in files)
        {
            long size = SizeOf(path);
            try
            {
                await window.EnterAsync(size, failed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    await ImportZoneFileAsync(service, directory, origin, path, maxRecords, failed.Token).ConfigureAwait(false);
                }
                catch
                {
                    await failed.CancelAsync().ConfigureAwait(false);
                    throw;
                }
                finally
                {
                    window.Leave(size);
                }
            }, CancellationToken.None));
        }
        try
        {
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The file that failed throws its own error below.
        }
        var error = inFlight.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        cancellationToken.ThrowIfCancellationRequested();
        return inFlight.Count;
    }

    /// <summary>
    /// Zone files read and imported at once, at most: enough that the writer, which the import of
    /// many small files waits on, finds a full batch (<see cref="Control.Zones.ZoneWriter.MaxBatch"/>)
    /// waiting whenever it commits one; with 32, a batch of small zones held 16 on average.
    /// </summary>
    private const int ImportFiles = 256;

    /// <summary>The octets of the files in flight, at most (a larger file goes alone): parsed, they take a few times that in memory.</summary>
    private const long ImportOctets = 64L << 20;

    /// <summary>A file's size; 0 when it cannot be read (its import then fails naming it).</summary>
    private static long SizeOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static async Task ImportZoneFileAsync(ZoneService service, string directory, Protocol.Names.DnsName origin, string path, long maxRecords, CancellationToken cancellationToken)
    {
        Protocol.Records.ZoneRows records;
        try
        {
            records = ZoneDirectory.ReadRows(path, origin, maxRecords);
        }
        catch (Protocol.Text.ZoneFileException e) when (e.TooManyRecords)
        {
            throw new Protocol.Text.ZoneFileException(e.FileName, e.Line, $"{e.Problem} (setting Import:ZoneFileRecords)", e) { TooManyRecords = true };
        }
        var audit = new AuditEntry("system", "zone.import", origin.ToString(), $"--zones {directory}");
        try
        {
            await service.ImportAsync(origin, records, audit, enforcePolicy: false, cancellationToken).ConfigureAwait(false);
        }
        catch (ZoneDataException e)
        {
            throw new Protocol.Text.ZoneFileException(path, 0, e.Message);
        }
    }
}

/// <summary>A started <c>serve</c>: its addresses and services, stopped on dispose.</summary>
public sealed class RunningHost(WebApplication app, IRdnsStore store, DataDirectory data, IDisposable? observability = null) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    public IServiceProvider Services => App.Services;

    /// <summary>How long a stop waits for a zone image being written: 1M PTRs take a few seconds to read, build and write on 2 cores.</summary>
    private static readonly TimeSpan ImageGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A zone image still being written is finished while the store is open (a clean stop right
    /// after an import is when it matters most), within <see cref="ImageGrace"/>; cut short, the old image stays.
    /// </summary>
    internal static async Task FinishImageAsync(IServiceProvider services)
    {
        try
        {
            await services.GetRequiredService<ZoneLoader>().ImageWritten.WaitAsync(ImageGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    public System.Net.IPEndPoint DnsEndpoint => Services.GetRequiredService<DnsService>().Server.LocalEndPoint;

    public Uri HttpBase => new(Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await FinishImageAsync(Services).ConfigureAwait(false);
        observability?.Dispose();
        await App.DisposeAsync().ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
        data.Dispose();
    }
}

/// <summary>Follows commits made by other nodes sharing the store (PostgreSQL), for as long as the host runs.</summary>
internal sealed class ZoneFollowing(Control.Zones.ZoneFollower follower) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => follower.FollowAsync(ServeHost.ResyncInterval, stoppingToken);
}
