#include <sqlite3.h>

/// SQLITE_DBCONFIG_DEFENSIVE on: user SQL cannot corrupt the file through the schema or
/// shadow tables (sqlite3_db_config is variadic, so Swift calls it through this).
static inline int cutover_sqlite3_defensive(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
}

/// The two-argument fts3_tokenizer() (which registers a tokenizer from a pointer) off.
static inline int cutover_sqlite3_no_fts3_tokenizer(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, (int *)0);
}
