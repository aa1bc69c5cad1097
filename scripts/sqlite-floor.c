/*
 * The SQLite floor for cutover's ingest: how long SQLite alone takes to write the event rows
 * that an ingest stored, with nothing else to do – no gzip, no JSON, no Swift, the rows
 * already in memory. scripts/benchmark builds and runs it on the database its ingest made.
 *
 *   sqlite-floor SOURCE.sqlite TARGET.sqlite wal|exclusive ROWS_PER_TRANSACTION
 *
 * Writes TARGET as cutover's ingest does: the schema of SOURCE's kube_events (and its
 * sources, for the foreign key), 64 KiB pages, synchronous NORMAL, foreign keys on, a 16 MiB
 * page cache; WAL (the default) or a locked rollback journal (`--exclusive`); rows appended
 * in transactions of ROWS_PER_TRANSACTION, then the event indexes built. Prints the seconds
 * for the timed part: from opening TARGET to closing it. Text is bound in place
 * (SQLITE_STATIC: the rows stay in memory for the whole run), so SQLite copies each value once,
 * into its page, as a lean writer would; binding copies (SQLITE_TRANSIENT) made the floor
 * slower than a lean writer is.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db_open(const char *path) {
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "sqlite-floor: cannot open %s: %s\n", path, sqlite3_errmsg(db));
        exit(1);
    }
    return db;
}

static void run(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "sqlite-floor: %s: %s\n", sql, error);
        exit(1);
    }
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* One stored value: an integer, a text (at `offset` in the arena) or NULL. */
typedef struct {
    int type;
    int length;
    sqlite3_int64 integer; /* the value, or the text's offset in the arena */
} Value;

int main(int argc, char **argv) {
    if (argc != 5 || (strcmp(argv[3], "wal") != 0 && strcmp(argv[3], "exclusive") != 0)) {
        fprintf(stderr, "usage: sqlite-floor SOURCE.sqlite TARGET.sqlite wal|exclusive ROWS_PER_TRANSACTION\n");
        return 2;
    }
    const char *target = argv[2];
    int wal = strcmp(argv[3], "wal") == 0;
    long batch = atol(argv[4]);

    /* Untimed: read the schema and every event row into memory. */
    sqlite3 *source = db_open(argv[1]);
    sqlite3_stmt *q;
    char *table = NULL, *indexes = NULL;
    size_t indexes_length = 0;
    sqlite3_prepare_v2(source,
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'kube_events' AND sql IS NOT NULL "
        "ORDER BY type = 'index', name", -1, &q, NULL);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *sql = (const char *)sqlite3_column_text(q, 1);
        if (strcmp((const char *)sqlite3_column_text(q, 0), "table") == 0) {
            table = strdup(sql);
        } else {
            indexes = realloc(indexes, indexes_length + strlen(sql) + 3);
            indexes_length += sprintf(indexes + indexes_length, "%s; ", sql);
        }
    }
    sqlite3_finalize(q);
    if (table == NULL) {
        fprintf(stderr, "sqlite-floor: %s has no kube_events table\n", argv[1]);
        return 1;
    }
    sqlite3_prepare_v2(source, "SELECT count(*) FROM kube_events", -1, &q, NULL);
    sqlite3_step(q);
    long rows = (long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_prepare_v2(source, "SELECT * FROM kube_events ORDER BY event_id", -1, &q, NULL);
    int columns = sqlite3_column_count(q);
    Value *values = malloc(sizeof(Value) * (size_t)rows * (size_t)columns);
    size_t arena_size = 1 << 20, used = 0;
    char *arena = malloc(arena_size);
    long n = 0;
    while (n < rows && sqlite3_step(q) == SQLITE_ROW) {
        for (int c = 0; c < columns; c++) {
            Value *v = &values[n * columns + c];
            v->type = sqlite3_column_type(q, c);
            if (v->type == SQLITE_INTEGER) {
                v->integer = sqlite3_column_int64(q, c);
            } else if (v->type != SQLITE_NULL) {
                v->length = sqlite3_column_bytes(q, c);
                while (used + (size_t)v->length > arena_size) arena = realloc(arena, arena_size *= 2);
                memcpy(arena + used, sqlite3_column_text(q, c), (size_t)v->length);
                v->integer = (sqlite3_int64)used;
                used += (size_t)v->length;
            }
        }
        n++;
    }
    sqlite3_finalize(q);
    sqlite3_close(source);

    /* The placeholder list for one row, leaving event_id (column 0) to SQLite as cutover does. */
    char *insert = malloc(64 + 3 * (size_t)columns);
    int length = sprintf(insert, "INSERT INTO kube_events VALUES (NULL");
    for (int c = 1; c < columns; c++) length += sprintf(insert + length, ", ?");
    sprintf(insert + length, ")");

    remove(target);
    double start = seconds();
    sqlite3 *db = db_open(target);
    run(db, "PRAGMA page_size = 65536; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
            "PRAGMA cache_size = -16384;");
    char *attach = sqlite3_mprintf("ATTACH %Q AS source", argv[1]);
    run(db, attach);
    sqlite3_free(attach);
    sqlite3_prepare_v2(db, "SELECT sql FROM source.sqlite_master WHERE name = 'sources'", -1, &q, NULL);
    if (sqlite3_step(q) == SQLITE_ROW) run(db, (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    run(db, "INSERT INTO main.sources SELECT * FROM source.sources; DETACH source;");
    run(db, wal ? "PRAGMA journal_mode = WAL" : "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = DELETE");
    run(db, table);

    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, insert, -1, &ins, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite-floor: %s: %s\n", insert, sqlite3_errmsg(db));
        return 1;
    }
    run(db, "BEGIN IMMEDIATE");
    for (long i = 0; i < n; i++) {
        for (int c = 1; c < columns; c++) {
            Value *v = &values[i * columns + c];
            if (v->type == SQLITE_INTEGER) sqlite3_bind_int64(ins, c, v->integer);
            else if (v->type == SQLITE_NULL) sqlite3_bind_null(ins, c);
            else sqlite3_bind_text(ins, c, arena + v->integer, v->length, SQLITE_STATIC);
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            fprintf(stderr, "sqlite-floor: insert: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        sqlite3_reset(ins);
        if ((i + 1) % batch == 0) run(db, "COMMIT; BEGIN IMMEDIATE");
    }
    if (indexes != NULL) run(db, indexes);
    run(db, "COMMIT");
    sqlite3_finalize(ins);
    sqlite3_close(db);
    printf("%.2f %ld\n", seconds() - start, n);
    return 0;
}
