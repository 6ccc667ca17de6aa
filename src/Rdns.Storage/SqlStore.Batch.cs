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
        catch (DbException e)
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
        catch (DbException e)
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
        /// <summary>
        /// A savepoint's three statements, the text made once. They run as ordinary statements on
        /// both stores, so SQLite's writer takes them from its prepared statements: the
        /// transaction's own savepoint calls prepared each anew, two preparations per request, and
        /// a batch of small zones makes one request per zone.
        /// </summary>
        private sealed class SavepointSql(string name)
        {
            public string Save { get; } = "SAVEPOINT " + name;
            public string Release { get; } = "RELEASE " + name;
            public string RollBack { get; } = "ROLLBACK TO " + name;
        }

        private static readonly SavepointSql Request = new("rdns_request");

        private static readonly SavepointSql Group = new("rdns_group");

        /// <summary>The notices at the start of the open group, or -1 when none is open.</summary>
        private int _groupNotices = -1;

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
                await WriteAsync(write, cancellationToken);
                return;
            }
            int notices = session.Notices.Count;
            await session.ExecuteAsync(Request.Save, cancellationToken);
            try
            {
                await WriteAsync(write, cancellationToken);
            }
            catch
            {
                // Back to before this request: the batch's other requests are untouched.
                await session.ExecuteAsync(Request.RollBack, CancellationToken.None);
                session.Notices.RemoveRange(notices, session.Notices.Count - notices);
                throw;
            }
            await session.ExecuteAsync(Request.Release, cancellationToken);
        }

        public async Task BeginGroupAsync(CancellationToken cancellationToken = default)
        {
            if (_groupNotices >= 0)
                throw new InvalidOperationException("a group of requests is open already");
            await session.ExecuteAsync(Group.Save, cancellationToken);
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
                    await session.ExecuteAsync(Group.RollBack, cancellationToken);
                    session.Notices.RemoveRange(_groupNotices, session.Notices.Count - _groupNotices);
                }
                await session.ExecuteAsync(Group.Release, cancellationToken);
            }
            catch (DbException e)
            {
                throw store.Translate(e);
            }
            finally
            {
                _groupNotices = -1;
            }
        }

        /// <summary>
        /// One request's rows, in the order the store's rules need (see <see cref="IWriteBatch.ApplyAsync"/>);
        /// a store that cannot be reached or cannot write is named as such.
        /// </summary>
        private async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
        {
            try
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
            catch (DbException e) when (store.Translate(e) is StoreUnavailableException unavailable)
            {
                throw unavailable;
            }
        }

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PublishAsync(session, cancellationToken);
                await session.CommitAsync(cancellationToken);
            }
            catch (DbException e)
            {
                throw store.Translate(e);
            }
        }

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
