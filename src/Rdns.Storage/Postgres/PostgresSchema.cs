namespace Rdns.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema, the same tables as SQLite's with native types: bytea for wire data,
/// timestamptz for times, identity columns for ids. Zone keys use the "C" collation so their order
/// (and so zone paging) is ordinal, as in SQLite, whatever the database's locale.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The advisory lock that serializes migrations between nodes starting at once ("rdns" in ASCII).</summary>
    public const long MigrationLock = 0x72646e73;

    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE zones (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text COLLATE "C" NOT NULL UNIQUE,
            display_name text NOT NULL,
            serial bigint NOT NULL,
            record_count bigint NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE TABLE records (
            zone_id bigint NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
            owner_key bytea NOT NULL,
            owner bytea NOT NULL,
            type integer NOT NULL,
            class integer NOT NULL,
            ttl bigint NOT NULL,
            rdata bytea NOT NULL
        );
        CREATE INDEX records_by_owner ON records (zone_id, owner_key, type);
        CREATE TABLE journal (
            zone_id bigint NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
            seq bigint NOT NULL,
            from_serial bigint NOT NULL,
            to_serial bigint NOT NULL,
            removed bytea NOT NULL,
            added bytea NOT NULL,
            committed_at timestamptz NOT NULL,
            PRIMARY KEY (zone_id, seq)
        );
        CREATE TABLE audit (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            target text NOT NULL,
            detail text,
            remote text
        );
        CREATE TABLE api_keys (
            id text PRIMARY KEY,
            role text NOT NULL,
            tenant_id text,
            hash bytea NOT NULL UNIQUE,
            created_at timestamptz NOT NULL,
            label text,
            revoked_at timestamptz
        );
        """,
        """
        CREATE TABLE tenants (
            id text PRIMARY KEY,
            name text NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE TABLE pools (
            id text PRIMARY KEY,
            prefix text NOT NULL UNIQUE,
            family integer NOT NULL,
            first_address bytea NOT NULL,
            last_address bytea NOT NULL,
            template text NOT NULL,
            ttl bigint NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE TABLE allocations (
            id text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants (id),
            pool_id text NOT NULL,
            prefix text NOT NULL,
            family integer NOT NULL,
            first_address bytea NOT NULL,
            last_address bytea NOT NULL,
            created_at timestamptz NOT NULL,
            released_at timestamptz
        );
        CREATE INDEX allocations_by_range ON allocations (family, first_address);
        CREATE INDEX allocations_by_tenant ON allocations (tenant_id);
        CREATE TABLE custom_reverses (
            address text PRIMARY KEY,
            tenant_id text NOT NULL,
            allocation_id text NOT NULL,
            name text NOT NULL,
            status text NOT NULL,
            detail text,
            set_at timestamptz NOT NULL,
            checked_at timestamptz NOT NULL
        );
        CREATE INDEX custom_reverses_by_tenant ON custom_reverses (tenant_id, status);
        CREATE INDEX custom_reverses_by_allocation ON custom_reverses (allocation_id);
        CREATE TABLE domains (
            tenant_id text NOT NULL,
            name text NOT NULL,
            token text NOT NULL,
            created_at timestamptz NOT NULL,
            verified_at timestamptz,
            PRIMARY KEY (tenant_id, name)
        );
        """,
        """
        CREATE TABLE store_identity (
            singleton integer PRIMARY KEY CHECK (singleton = 1),
            id text NOT NULL,
            created_at timestamptz NOT NULL
        );
        """,
        """
        CREATE TABLE tsig_keys (
            name text COLLATE "C" PRIMARY KEY,
            algorithm text NOT NULL,
            secret bytea NOT NULL,
            tenant_id text,
            rules text NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX tsig_keys_by_tenant ON tsig_keys (tenant_id);
        """,
        """
        CREATE TABLE server_secrets (
            name TEXT PRIMARY KEY,
            current_secret bytea NOT NULL,
            previous_secret bytea,
            rotated_at timestamptz NOT NULL
        );
        """,
        """
        CREATE TABLE dnssec_zones (
            zone text COLLATE "C" PRIMARY KEY,
            algorithm integer NOT NULL,
            split_keys integer NOT NULL,
            denial text NOT NULL,
            enabled_at timestamptz NOT NULL
        );
        CREATE TABLE dnssec_keys (
            id text PRIMARY KEY,
            zone text NOT NULL,
            algorithm integer NOT NULL,
            flags integer NOT NULL,
            role text NOT NULL,
            dnskey bytea NOT NULL,
            private_key bytea NOT NULL,
            state text NOT NULL,
            created_at timestamptz NOT NULL,
            state_since timestamptz NOT NULL,
            ds_state text NOT NULL,
            ds_since timestamptz
        );
        CREATE INDEX dnssec_keys_by_zone ON dnssec_keys (zone);
        """,
        """
        CREATE TABLE views (
            name text COLLATE "C" PRIMARY KEY,
            position bigint NOT NULL,
            match_clients text NOT NULL,
            match_destinations text NOT NULL,
            match_keys text NOT NULL,
            tenant_id text,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        ALTER TABLE zones ADD COLUMN view text COLLATE "C" NOT NULL DEFAULT 'public';
        CREATE INDEX zones_by_view ON zones (view, name);
        """,
        """
        ALTER TABLE audit ADD COLUMN old_value text;
        ALTER TABLE audit ADD COLUMN new_value text;
        ALTER TABLE tenants ADD COLUMN deleted_at timestamptz;
        """,
        """
        ALTER TABLE audit ADD COLUMN actor_tenant text COLLATE "C";
        ALTER TABLE audit ADD COLUMN subject_tenant text COLLATE "C";
        ALTER TABLE audit ADD COLUMN target_name text COLLATE "C";
        ALTER TABLE audit ADD COLUMN target_first text COLLATE "C";
        ALTER TABLE audit ADD COLUMN target_last text COLLATE "C";
        ALTER TABLE audit ADD COLUMN detail_first text COLLATE "C";
        ALTER TABLE audit ADD COLUMN detail_last text COLLATE "C";
        ALTER TABLE audit ADD COLUMN keyed integer NOT NULL DEFAULT 0;
        CREATE INDEX audit_by_actor_tenant ON audit (actor_tenant, id);
        CREATE INDEX audit_by_subject_tenant ON audit (subject_tenant, id);
        CREATE INDEX audit_by_target_name ON audit (target_name, id);
        CREATE INDEX audit_unkeyed ON audit (id) WHERE keyed = 0;
        """,
        """
        -- A zone's revision: a number no other state of any zone has had or will have, drawn from a
        -- sequence whenever the zone's row is inserted or updated (by any node sharing the store).
        -- Every write of zone data updates the row in the same transaction (serial, record count),
        -- so a copy of a zone built at one revision (a node's zone image) is provably current while
        -- the revision is unchanged.
        CREATE SEQUENCE zone_revision;
        ALTER TABLE zones ADD COLUMN revision bigint NOT NULL DEFAULT nextval('zone_revision');
        CREATE FUNCTION zones_next_revision() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.revision := nextval('zone_revision');
            RETURN NEW;
        END;
        $$;
        CREATE TRIGGER zones_revision BEFORE INSERT OR UPDATE ON zones
            FOR EACH ROW EXECUTE FUNCTION zones_next_revision();
        """,
        """
        -- The zones written after a revision, in revision order: what a node's periodic resync
        -- compares when the store's stamp moved, so it costs the zones written, not all of them.
        CREATE INDEX zones_by_revision ON zones (revision);
        """,
        """
        -- The settings' revision (pools, TSIG keys, views, DNSSEC policies and keys): moved with
        -- every row of theirs inserted, updated or deleted, by any node. A counter row, not a
        -- sequence: a sequence moves when drawn, so a node could read the new value before the
        -- write commits, reload without it and never look again. The row is moved by triggers
        -- deferred to the writer's commit, so its lock is the last one a transaction takes (no
        -- deadlock with the locks of its other statements) and is held only while it commits.
        CREATE TABLE settings_revision (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            value bigint NOT NULL
        );
        INSERT INTO settings_revision (value) VALUES (0);
        CREATE FUNCTION settings_next_revision() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE settings_revision SET value = value + 1;
            RETURN NULL;
        END;
        $$;
        CREATE CONSTRAINT TRIGGER pools_settings AFTER INSERT OR UPDATE OR DELETE ON pools
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settings_next_revision();
        CREATE CONSTRAINT TRIGGER tsig_keys_settings AFTER INSERT OR UPDATE OR DELETE ON tsig_keys
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settings_next_revision();
        CREATE CONSTRAINT TRIGGER views_settings AFTER INSERT OR UPDATE OR DELETE ON views
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settings_next_revision();
        CREATE CONSTRAINT TRIGGER dnssec_zones_settings AFTER INSERT OR UPDATE OR DELETE ON dnssec_zones
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settings_next_revision();
        CREATE CONSTRAINT TRIGGER dnssec_keys_settings AFTER INSERT OR UPDATE OR DELETE ON dnssec_keys
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settings_next_revision();
        """,
    ];
}
