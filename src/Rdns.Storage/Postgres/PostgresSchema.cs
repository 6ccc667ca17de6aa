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
    ];
}
