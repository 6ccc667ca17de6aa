using System.Data.Common;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;

namespace Rdns.Storage;

internal abstract partial class SqlStore
{
    /// <summary>Keeps writers of other nodes away from these zones until the transaction ends (no-op where one writer exists).</summary>
    protected virtual Task LockZonesAsync(StoreSession session, IReadOnlyList<string> zoneKeys, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IWriteBatch> BeginBatchAsync(IReadOnlyCollection<DnsName> zones, CancellationToken cancellationToken = default) =>
        BeginBatchAsync(Public, zones, cancellationToken);

    public async Task<IWriteBatch> BeginBatchAsync(string view, IReadOnlyCollection<DnsName> zones, CancellationToken cancellationToken = default)
    {
        StoreSession session;
        try
        {
            session = await BeginWriteAsync(cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            throw Translate(e);
        }
        try
        {
            // Name order everywhere, so two nodes locking overlapping sets cannot deadlock.
            var keys = zones.Select(z => ZoneKey.Of(view, z)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (keys.Count > 0)
                await LockZonesAsync(session, keys, cancellationToken);
            return new Batch(this, session, view);
        }
        catch (System.Data.Common.DbException e)
        {
            await session.DisposeAsync();
            throw Translate(e);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private sealed class Batch(SqlStore store, StoreSession session, string view) : IWriteBatch
    {
        private const string Savepoint = "rdns_request";

        private const string GroupSavepoint = "rdns_group";

        /// <summary>The notices at the start of the open group, or -1 when none is open.</summary>
        private int _groupNotices = -1;

        /// <summary>
        /// The savepoint's statements, run as prepared statements where the session keeps them
        /// (SQLite's writer): the transaction's own calls prepare the statement anew each time,
        /// two preparations per request, and a batch of small zones makes one request per zone.
        /// </summary>
        private Task SavepointAsync(string sql, Func<DbTransaction, CancellationToken, Task> call, CancellationToken cancellationToken) =>
            session.Statements is null ? call(session.Transaction, cancellationToken) : session.ExecuteAsync(sql, cancellationToken);

        public Task<uint?> GetSerialAsync(DnsName zone, CancellationToken cancellationToken = default) =>
            SqlStore.GetSerialAsync(session, view, zone, cancellationToken);

        public Task<IReadOnlyDictionary<DnsName, uint>> GetSerialsAsync(IReadOnlyCollection<DnsName> zones, CancellationToken cancellationToken = default) =>
            SqlStore.GetSerialsAsync(session, view, zones, cancellationToken);

        public Task<IReadOnlyList<Changeset>?> GetJournalAsync(DnsName zone, uint fromSerial, CancellationToken cancellationToken = default) =>
            SqlStore.GetJournalAsync(session, view, zone, fromSerial, cancellationToken);

        public Task<StoredZone?> LoadAsync(DnsName zone, CancellationToken cancellationToken = default) =>
            store.LoadAsync(session, view, zone, cancellationToken);

        public async Task ApplyAsync(StoreWrite write, CancellationToken cancellationToken = default)
        {
            foreach (var c in write.Commits)
                ZoneKey.CheckCommit(c);
            if (_groupNotices >= 0)
            {
                // In a group: its savepoint undoes all of it, this request included, if the caller ends it so.
                try
                {
                    await WriteAsync(write, cancellationToken);
                }
                catch (System.Data.Common.DbException e) when (store.Translate(e) is StoreUnavailableException unavailable)
                {
                    throw unavailable;
                }
                return;
            }
            int notices = session.Notices.Count;
            await SavepointAsync("SAVEPOINT " + Savepoint, static (t, ct) => t.SaveAsync(Savepoint, ct), cancellationToken);
            try
            {
                await WriteAsync(write, cancellationToken);
            }
            catch (Exception e)
            {
                // Back to before this request: the batch's other requests are untouched.
                await SavepointAsync("ROLLBACK TO " + Savepoint, static (t, ct) => t.RollbackAsync(Savepoint, ct), CancellationToken.None);
                session.Notices.RemoveRange(notices, session.Notices.Count - notices);
                if (e is System.Data.Common.DbException db && store.Translate(db) is StoreUnavailableException unavailable)
                    throw unavailable;
                throw;
            }
            await SavepointAsync("RELEASE " + Savepoint, static (t, ct) => t.ReleaseAsync(Savepoint, ct), cancellationToken);
        }

        public async Task BeginGroupAsync(CancellationToken cancellationToken = default)
        {
            if (_groupNotices >= 0)
                throw new InvalidOperationException("a group of requests is open already");
            await SavepointAsync("SAVEPOINT " + GroupSavepoint, static (t, ct) => t.SaveAsync(GroupSavepoint, ct), cancellationToken);
            _groupNotices = session.Notices.Count;
        }

        public async Task EndGroupAsync(bool keep, CancellationToken cancellationToken = default)
        {
            if (_groupNotices < 0)
                throw new InvalidOperationException("no group of requests is open");
            try
            {
                if (!keep)
                {
                    await SavepointAsync("ROLLBACK TO " + GroupSavepoint, static (t, ct) => t.RollbackAsync(GroupSavepoint, ct), cancellationToken);
                    session.Notices.RemoveRange(_groupNotices, session.Notices.Count - _groupNotices);
                }
                await SavepointAsync("RELEASE " + GroupSavepoint, static (t, ct) => t.ReleaseAsync(GroupSavepoint, ct), cancellationToken);
            }
            catch (System.Data.Common.DbException e)
            {
                throw store.Translate(e);
            }
            finally
            {
                _groupNotices = -1;
            }
        }

        /// <summary>One request's rows, in the order the store's rules need (see <see cref="IWriteBatch.ApplyAsync"/>).</summary>
        private async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
        {
            foreach (var zone in write.Deletions)
                await store.DeleteZoneAsync(session, view, zone, cancellationToken);
            foreach (var creation in write.Creations)
                await store.CreateZoneAsync(session, view, creation, cancellationToken);
            await store.CommitAsync(session, view, write.Commits, cancellationToken);
            foreach (var tenantWrite in write.TenantWrites)
                await store.ApplyTenantWriteAsync(session, tenantWrite, cancellationToken);
            foreach (var dnssecWrite in write.DnssecWrites)
                await store.ApplyDnssecWriteAsync(session, dnssecWrite, cancellationToken);
            await store.AuditAsync(session, write.Audit, cancellationToken);
            if (write.Verify is not null)
                await write.Verify(cancellationToken);
        }

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PublishAsync(session, cancellationToken);
                await session.CommitAsync(cancellationToken);
            }
            catch (System.Data.Common.DbException e)
            {
                throw store.Translate(e);
            }
        }

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
