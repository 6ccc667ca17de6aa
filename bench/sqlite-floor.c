/*
 * What SQLite alone costs per imported zone: the statements the store's writer runs for the import
 * of a small zone (a lookup of the zone's row, its insert, ten record rows, the audit row, each
 * zone under its own savepoint, 120 zones a transaction, WAL, synchronous=NORMAL as in a bulk
 * load), with nothing of .NET around them, on the schema of a store rdns made. Variants take one
 * thing away at a time, to show what each costs. See bench/sqlite-floor.sh.
 *
 *   sqlite-floor SCHEMA.sql ZONES VARIANT
 *
 * VARIANT: writer | group | no-savepoints | temp-memory | shuffled | spill:BYTES
 *   writer         as the writer does it, zones in name order (files are imported in name order)
 *   group          one savepoint for each transaction's zones, not one per zone
 *   no-savepoints  no savepoint at all
 *   temp-memory    PRAGMA temp_store = MEMORY: the savepoints' undo copy never goes to a file
 *   shuffled       as the writer, zones in a random order (every index insert lands elsewhere)
 *   spill:BYTES    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, BYTES) before the first connection
 *
 *   sqlite-floor SCHEMA.sql 0 replace:BYTES
 *   replace:BYTES  with that spill threshold, replaces a table of 200,000 rows inside a savepoint
 *                  of a transaction, as replacing a large zone does; prints SQLite's answer
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sqlite3 *db;

static void check(int rc, int line)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "line %d: %d %s\n", line, rc, sqlite3_errmsg(db));
        exit(1);
    }
}
#define CHECK(x) check((x), __LINE__)

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *statement;
    CHECK(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, 0));
    return statement;
}

static void run(sqlite3_stmt *statement)
{
    CHECK(sqlite3_step(statement));
    sqlite3_reset(statement);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *text = malloc(n + 1);
    if (fread(text, 1, n, f) != (size_t)n) { perror(path); exit(1); }
    text[n] = 0;
    fclose(f);
    return text;
}

/* The wire form of a dotted name ending in a dot. */
static int wire(const char *name, unsigned char *out)
{
    int n = 0;
    for (const char *p = name; *p;) {
        const char *dot = strchr(p, '.');
        int length = (int)(dot - p);
        out[n++] = (unsigned char)length;
        memcpy(out + n, p, length);
        n += length;
        p = dot + 1;
    }
    out[n++] = 0;
    return n;
}

static char (*names)[40];

static int by_name(const void *a, const void *b)
{
    return strcmp(names[*(const int *)a], names[*(const int *)b]);
}

static void open_database(const char *schema)
{
    const char *path = "sqlite-floor.db";
    unlink(path);
    unlink("sqlite-floor.db-wal");
    unlink("sqlite-floor.db-shm");
    CHECK(sqlite3_open(path, &db));
    CHECK(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA cache_size = -65536; PRAGMA synchronous = NORMAL; "
                           "PRAGMA wal_autocheckpoint = 16384; PRAGMA foreign_keys = ON;", 0, 0, 0));
    CHECK(sqlite3_exec(db, read_file(schema), 0, 0, 0));
}

static int replace(const char *schema)
{
    open_database(schema);
    char *error = 0;
    CHECK(sqlite3_exec(db, "CREATE TABLE t (a, b); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) "
                           "INSERT INTO t SELECT x, randomblob(100) FROM c;", 0, 0, 0));
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE; SAVEPOINT r; DELETE FROM t; RELEASE r; COMMIT;", 0, 0, &error);
    printf("replace: %d %s\n", rc, error ? error : "ok");
    sqlite3_close(db);
    unlink("sqlite-floor.db");
    unlink("sqlite-floor.db-wal");
    unlink("sqlite-floor.db-shm");
    return rc == SQLITE_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sqlite-floor SCHEMA.sql ZONES VARIANT\n");
        return 2;
    }
    const char *variant = argv[3];
    if (strncmp(variant, "spill:", 6) == 0 || strncmp(variant, "replace:", 8) == 0)
        CHECK(sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, atoi(strchr(variant, ':') + 1)));
    if (strncmp(variant, "replace:", 8) == 0)
        return replace(argv[1]);
    int zones = atoi(argv[2]);
    int savepoints = strcmp(variant, "no-savepoints") != 0 && strcmp(variant, "group") != 0;
    int group = strcmp(variant, "group") == 0;
    open_database(argv[1]);
    if (strcmp(variant, "temp-memory") == 0)
        CHECK(sqlite3_exec(db, "PRAGMA temp_store = MEMORY", 0, 0, 0));

    names = malloc((size_t)zones * sizeof *names);
    int *order = malloc((size_t)zones * sizeof *order);
    for (int i = 0; i < zones; i++) {
        snprintf(names[i], sizeof names[i], "%d.%d.%d.in-addr.arpa.", i & 255, i >> 8 & 255, i >> 16 & 255);
        order[i] = i;
    }
    if (strcmp(variant, "shuffled") == 0) {
        srand(1);
        for (int i = zones - 1; i > 0; i--) {
            int j = rand() % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    } else {
        qsort(order, zones, sizeof *order, by_name);
    }

    sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE"), *commit = prepare("COMMIT");
    sqlite3_stmt *save = prepare("SAVEPOINT rdns_request"), *release = prepare("RELEASE rdns_request");
    sqlite3_stmt *find = prepare("SELECT id FROM zones WHERE name = ?1");
    sqlite3_stmt *zone = prepare("INSERT INTO zones (name, view, display_name, serial, record_count, created_at, updated_at) "
                                 "VALUES (?1, 'public', ?1, 2026010101, 10, 1, 1) RETURNING id");
    sqlite3_stmt *record = prepare("INSERT INTO records (zone_id, owner_key, owner, type, class, ttl, rdata) VALUES (?1, ?2, ?2, ?3, 1, 3600, ?4)");
    sqlite3_stmt *audit = prepare("INSERT INTO audit (at, actor, action, target, detail, remote, old_value, new_value, actor_tenant, "
                                  "subject_tenant, target_name, target_first, target_last, detail_first, detail_last, keyed) "
                                  "VALUES (1, 'system', 'zone.import', ?1, '--zones /srv/zones', NULL, NULL, NULL, NULL, NULL, ?1, "
                                  "NULL, NULL, NULL, NULL, 1)");
    static const unsigned char target[] = "\x09relay-599\x02" "eu\x0a" "solar-cain\x02" "de";
    const int batch = 120;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int first = 0; first < zones; first += batch) {
        run(begin);
        if (group)
            run(save);
        for (int k = first; k < first + batch && k < zones; k++) {
            const char *name = names[order[k]];
            if (savepoints)
                run(save);
            sqlite3_bind_text(find, 1, name, -1, SQLITE_STATIC);
            run(find);
            sqlite3_bind_text(zone, 1, name, -1, SQLITE_STATIC);
            CHECK(sqlite3_step(zone));
            sqlite3_int64 id = sqlite3_column_int64(zone, 0);
            sqlite3_reset(zone);
            for (int r = 0; r < 10; r++) {
                char owner[64];
                unsigned char octets[64];
                if (r >= 3)
                    snprintf(owner, sizeof owner, "%d.%s", r, name);
                else
                    snprintf(owner, sizeof owner, "%s", name);
                int length = wire(owner, octets);
                sqlite3_bind_int64(record, 1, id);
                sqlite3_bind_blob(record, 2, octets, length, SQLITE_STATIC);
                sqlite3_bind_int(record, 3, r >= 3 ? 12 : 2);
                sqlite3_bind_blob(record, 4, target, sizeof target, SQLITE_STATIC);
                run(record);
            }
            sqlite3_bind_text(audit, 1, name, -1, SQLITE_STATIC);
            run(audit);
            if (savepoints)
                run(release);
        }
        if (group)
            run(release);
        run(commit);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s: %d zones in %.2f s, %.1f us a zone (SQLite %s)\n", variant, zones, seconds, seconds / zones * 1e6, sqlite3_libversion());
    sqlite3_close(db);
    unlink("sqlite-floor.db");
    unlink("sqlite-floor.db-wal");
    unlink("sqlite-floor.db-shm");
    return 0;
}
