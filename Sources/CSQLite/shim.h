#include <sqlite3.h>

// Not SQLite's: a hint to start loading memory into the cache, which Swift cannot express. `ItemDigests` uses it
// for the slot a row's SKU will be looked up in, while the row is still being hashed.
static inline void csqlite_prefetch(const void *address) { __builtin_prefetch(address); }

// SQLITE_TRANSIENT is a macro Swift cannot import: a destructor value of -1.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_db_config is variadic; Swift cannot call it directly.
static inline int csqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
