namespace Rdns.Storage.Sqlite;

/// <summary>The SQLite schema, one script per version (see docs/STORAGE.md for the reasons behind each table).</summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE zones (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            serial INTEGER NOT NULL,
            record_count INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE records (
            zone_id INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
            owner_key BLOB NOT NULL,
            owner BLOB NOT NULL,
            type INTEGER NOT NULL,
            class INTEGER NOT NULL,
            ttl INTEGER NOT NULL,
            rdata BLOB NOT NULL
        );
        CREATE INDEX records_by_owner ON records (zone_id, owner_key, type);
        CREATE TABLE journal (
            zone_id INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            from_serial INTEGER NOT NULL,
            to_serial INTEGER NOT NULL,
            removed BLOB NOT NULL,
            added BLOB NOT NULL,
            committed_at INTEGER NOT NULL,
            PRIMARY KEY (zone_id, seq)
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT,
            remote TEXT
        );
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            tenant_id TEXT,
            hash BLOB NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            label TEXT,
            revoked_at INTEGER
        );
        """,
        """
        CREATE TABLE tenants (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE pools (
            id TEXT PRIMARY KEY,
            prefix TEXT NOT NULL UNIQUE,
            family INTEGER NOT NULL,
            first_address BLOB NOT NULL,
            last_address BLOB NOT NULL,
            template TEXT NOT NULL,
            ttl INTEGER NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE allocations (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants (id),
            pool_id TEXT NOT NULL,
            prefix TEXT NOT NULL,
            family INTEGER NOT NULL,
            first_address BLOB NOT NULL,
            last_address BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            released_at INTEGER
        );
        CREATE INDEX allocations_by_range ON allocations (family, first_address);
        CREATE INDEX allocations_by_tenant ON allocations (tenant_id);
        CREATE TABLE custom_reverses (
            address TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            allocation_id TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            detail TEXT,
            set_at INTEGER NOT NULL,
            checked_at INTEGER NOT NULL
        );
        CREATE INDEX custom_reverses_by_tenant ON custom_reverses (tenant_id, status);
        CREATE INDEX custom_reverses_by_allocation ON custom_reverses (allocation_id);
        CREATE TABLE domains (
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            token TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            verified_at INTEGER,
            PRIMARY KEY (tenant_id, name)
        );
        """,
        """
        CREATE TABLE store_identity (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        """,
        """
        CREATE TABLE tsig_keys (
            name TEXT PRIMARY KEY,
            algorithm TEXT NOT NULL,
            secret BLOB NOT NULL,
            tenant_id TEXT,
            rules TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX tsig_keys_by_tenant ON tsig_keys (tenant_id);
        """,
        """
        CREATE TABLE server_secrets (
            name TEXT PRIMARY KEY,
            current_secret BLOB NOT NULL,
            previous_secret BLOB,
            rotated_at INTEGER NOT NULL
        );
        """,
        """
        CREATE TABLE dnssec_zones (
            zone TEXT PRIMARY KEY,
            algorithm INTEGER NOT NULL,
            split_keys INTEGER NOT NULL,
            denial TEXT NOT NULL,
            enabled_at INTEGER NOT NULL
        );
        CREATE TABLE dnssec_keys (
            id TEXT PRIMARY KEY,
            zone TEXT NOT NULL,
            algorithm INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            role TEXT NOT NULL,
            dnskey BLOB NOT NULL,
            private_key BLOB NOT NULL,
            state TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            state_since INTEGER NOT NULL,
            ds_state TEXT NOT NULL,
            ds_since INTEGER
        );
        CREATE INDEX dnssec_keys_by_zone ON dnssec_keys (zone);
        """,
        """
        CREATE TABLE views (
            name TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            match_clients TEXT NOT NULL,
            match_destinations TEXT NOT NULL,
            match_keys TEXT NOT NULL,
            tenant_id TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        ALTER TABLE zones ADD COLUMN view TEXT NOT NULL DEFAULT 'public';
        CREATE INDEX zones_by_view ON zones (view, name);
        """,
        """
        ALTER TABLE audit ADD COLUMN old_value TEXT;
        ALTER TABLE audit ADD COLUMN new_value TEXT;
        ALTER TABLE tenants ADD COLUMN deleted_at INTEGER;
        """,
        """
        ALTER TABLE audit ADD COLUMN actor_tenant TEXT;
        ALTER TABLE audit ADD COLUMN subject_tenant TEXT;
        ALTER TABLE audit ADD COLUMN target_name TEXT;
        ALTER TABLE audit ADD COLUMN target_first TEXT;
        ALTER TABLE audit ADD COLUMN target_last TEXT;
        ALTER TABLE audit ADD COLUMN detail_first TEXT;
        ALTER TABLE audit ADD COLUMN detail_last TEXT;
        ALTER TABLE audit ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX audit_by_actor_tenant ON audit (actor_tenant, id);
        CREATE INDEX audit_by_subject_tenant ON audit (subject_tenant, id);
        CREATE INDEX audit_by_target_name ON audit (target_name, id);
        CREATE INDEX audit_unkeyed ON audit (id) WHERE keyed = 0;
        """,
        """
        -- A zone's revision: a number no other state of any zone has had or will have, given anew
        -- by a trigger whenever the zone's row is inserted or updated. Every write of zone data
        -- updates the row in the same transaction (serial, record count), so a copy of a zone built
        -- at one revision (the zone image of the data directory) is provably current while the
        -- revision is unchanged. The counter only grows; row ids may be reused, revisions are not.
        CREATE TABLE zone_revision (value INTEGER NOT NULL);
        INSERT INTO zone_revision (value) SELECT COALESCE(MAX(id), 0) FROM zones;
        ALTER TABLE zones ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
        UPDATE zones SET revision = id;
        CREATE TRIGGER zones_revision_on_insert AFTER INSERT ON zones
        BEGIN
            UPDATE zone_revision SET value = value + 1;
            UPDATE zones SET revision = (SELECT value FROM zone_revision) WHERE id = NEW.id;
        END;
        CREATE TRIGGER zones_revision_on_update AFTER UPDATE ON zones WHEN NEW.revision = OLD.revision
        BEGIN
            UPDATE zone_revision SET value = value + 1;
            UPDATE zones SET revision = (SELECT value FROM zone_revision) WHERE id = NEW.id;
        END;
        """,
        """
        -- The zones written after a revision, in revision order: what a node's periodic resync
        -- compares when the store's stamp moved, so it costs the zones written, not all of them.
        CREATE INDEX zones_by_revision ON zones (revision);
        """,
        """
        -- The settings' revision (pools, TSIG keys, views, DNSSEC policies and keys): moved by a
        -- trigger with every row of theirs inserted, updated or deleted, in the writing
        -- transaction, so a node's resync reloads them only when it moved.
        CREATE TABLE settings_revision (value INTEGER NOT NULL);
        INSERT INTO settings_revision (value) VALUES (0);
        CREATE TRIGGER pools_settings_on_insert AFTER INSERT ON pools BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER pools_settings_on_update AFTER UPDATE ON pools BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER pools_settings_on_delete AFTER DELETE ON pools BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER tsig_keys_settings_on_insert AFTER INSERT ON tsig_keys BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER tsig_keys_settings_on_update AFTER UPDATE ON tsig_keys BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER tsig_keys_settings_on_delete AFTER DELETE ON tsig_keys BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER views_settings_on_insert AFTER INSERT ON views BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER views_settings_on_update AFTER UPDATE ON views BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER views_settings_on_delete AFTER DELETE ON views BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER dnssec_zones_settings_on_insert AFTER INSERT ON dnssec_zones BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER dnssec_zones_settings_on_update AFTER UPDATE ON dnssec_zones BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER dnssec_zones_settings_on_delete AFTER DELETE ON dnssec_zones BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER dnssec_keys_settings_on_insert AFTER INSERT ON dnssec_keys BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER dnssec_keys_settings_on_update AFTER UPDATE ON dnssec_keys BEGIN UPDATE settings_revision SET value = value + 1; END;
        CREATE TRIGGER dnssec_keys_settings_on_delete AFTER DELETE ON dnssec_keys BEGIN UPDATE settings_revision SET value = value + 1; END;
        """,
    ];
}
